CREATE TABLE `letter_confirmations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`campaign_id` integer NOT NULL,
	`email_normalized` text NOT NULL,
	`token_hash` text NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `letter_confirmations_token_unique` ON `letter_confirmations` (`token_hash`);--> statement-breakpoint
CREATE INDEX `letter_confirmations_expires_idx` ON `letter_confirmations` (`expires_at`);--> statement-breakpoint
-- Links already mailed keep working: each pending letter's token becomes a confirmation.
INSERT INTO `letter_confirmations` (`campaign_id`, `email_normalized`, `token_hash`, `expires_at`, `created_at`) SELECT `campaign_id`, `email_normalized`, `confirm_token_hash`, `confirm_expires_at`, `created_at` FROM `letters` WHERE `status` = 'pending_confirmation' AND `confirm_token_hash` IS NOT NULL AND `confirm_expires_at` IS NOT NULL AND `email_normalized` IS NOT NULL;--> statement-breakpoint
CREATE TABLE `mail_quota` (
	`address_key` text NOT NULL,
	`day` text NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`address_key`, `day`)
);
--> statement-breakpoint
DROP INDEX `letters_confirm_token_unique`;--> statement-breakpoint
ALTER TABLE `letters` ADD `reply_direct` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `letters_pending_idx` ON `letters` (`campaign_id`,`email_normalized`) WHERE "letters"."status" = 'pending_confirmation';--> statement-breakpoint
ALTER TABLE `letters` DROP COLUMN `confirm_token_hash`;--> statement-breakpoint
ALTER TABLE `letters` DROP COLUMN `confirm_expires_at`;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `confirm_rsvps` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `targets` ADD `pending_email` text;--> statement-breakpoint
ALTER TABLE `targets` ADD `pending_email_by` integer;--> statement-breakpoint
ALTER TABLE `targets` ADD `pending_email_at` integer;--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `expires_at` integer;