import type { TFunction } from 'i18next'
import type { CampaignStatus, Role } from '../db/schema/index.js'

type Label = (t: TFunction) => string

/** Roles as the back office names them, in the page's language. */
const ROLES: Record<Role, Label> = {
  admin: (t) => t('admin.role.admin'),
  organizer: (t) => t('admin.role.organizer'),
}
export const roleName = (t: TFunction, role: Role): string => ROLES[role]?.(t) ?? role

const CAMPAIGN_STATUSES: Record<CampaignStatus, Label> = {
  draft: (t) => t('admin.campaignStatus.draft'),
  live: (t) => t('admin.campaignStatus.live'),
  closed: (t) => t('admin.campaignStatus.closed'),
}
export const campaignStatusName = (t: TFunction, status: CampaignStatus): string => CAMPAIGN_STATUSES[status]?.(t) ?? status

/** What each audited action did, in words; an action not named here shows as its code alone. */
const ACTIONS: Record<string, Label> = {
  'campaign.create': (t) => t('admin.audit.actions.campaign_create'),
  'campaign.update': (t) => t('admin.audit.actions.campaign_update'),
  'person.create': (t) => t('admin.audit.actions.person_create'),
  'person.update': (t) => t('admin.audit.actions.person_update'),
  'person.delete': (t) => t('admin.audit.actions.person_delete'),
  'target.create': (t) => t('admin.audit.actions.target_create'),
  'target.update': (t) => t('admin.audit.actions.target_update'),
  'target.import': (t) => t('admin.audit.actions.target_import'),
  'target.email_approve': (t) => t('admin.audit.actions.target_email_approve'),
  'target.email_reject': (t) => t('admin.audit.actions.target_email_reject'),
  'target.delivery_resume': (t) => t('admin.audit.actions.target_delivery_resume'),
  'template.save': (t) => t('admin.audit.actions.template_save'),
  'offline_letters.add': (t) => t('admin.audit.actions.offline_letters_add'),
  'offline_letters.delete': (t) => t('admin.audit.actions.offline_letters_delete'),
  'letters.dossier': (t) => t('admin.audit.actions.letters_dossier'),
  'letters.hand_delivered': (t) => t('admin.audit.actions.letters_hand_delivered'),
  'export.letters': (t) => t('admin.audit.actions.export_letters'),
  'export.tally': (t) => t('admin.audit.actions.export_tally'),
  'export.rsvps': (t) => t('admin.audit.actions.export_rsvps'),
  'picket.schedule': (t) => t('admin.audit.actions.picket_schedule'),
  'picket.reschedule': (t) => t('admin.audit.actions.picket_reschedule'),
  'picket.cancel': (t) => t('admin.audit.actions.picket_cancel'),
  'rsvp.check_in': (t) => t('admin.audit.actions.rsvp_check_in'),
  'rsvps.read': (t) => t('admin.audit.actions.rsvps_read'),
  'mail.retry': (t) => t('admin.audit.actions.mail_retry'),
  'mail.retry_all': (t) => t('admin.audit.actions.mail_retry_all'),
  'supporter.export': (t) => t('admin.audit.actions.supporter_export'),
  'supporter.erase': (t) => t('admin.audit.actions.supporter_erase'),
  'token.create': (t) => t('admin.audit.actions.token_create'),
  'token.create_cli': (t) => t('admin.audit.actions.token_create_cli'),
  'token.revoke': (t) => t('admin.audit.actions.token_revoke'),
  'user.login': (t) => t('admin.audit.actions.user_login'),
  'user.invite': (t) => t('admin.audit.actions.user_invite'),
  'user.reinvite': (t) => t('admin.audit.actions.user_reinvite'),
  'user.password_set': (t) => t('admin.audit.actions.user_password_set'),
  'user.password_reset_cli': (t) => t('admin.audit.actions.user_password_reset_cli'),
  'user.admin_created_cli': (t) => t('admin.audit.actions.user_admin_created_cli'),
  'user.admin_created_setup': (t) => t('setup.auditAction'),
  'user.organizer_created_cli': (t) => t('admin.audit.actions.user_organizer_created_cli'),
  'user.update': (t) => t('admin.audit.actions.user_update'),
  'user.disable': (t) => t('admin.audit.actions.user_disable'),
  'user.enable': (t) => t('admin.audit.actions.user_enable'),
}
export const auditActionName = (t: TFunction, action: string): string | null => (Object.hasOwn(ACTIONS, action) ? ACTIONS[action]!(t) : null)
