CREATE TABLE `campaign_people` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`campaign_id` integer NOT NULL,
	`name` text NOT NULL,
	`status` text NOT NULL,
	`detail` text DEFAULT '' NOT NULL,
	`status_changed_on` text,
	`position` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `campaign_people_campaign_idx` ON `campaign_people` (`campaign_id`);--> statement-breakpoint
CREATE TABLE `campaigns` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`summary` text DEFAULT '' NOT NULL,
	`story` text DEFAULT '' NOT NULL,
	`goal` integer NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`confirm_letters` integer DEFAULT false NOT NULL,
	`languages` text NOT NULL,
	`letters_count` integer DEFAULT 0 NOT NULL,
	`offline_count` integer DEFAULT 0 NOT NULL,
	`tally_updated_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `campaigns_slug_unique` ON `campaigns` (`slug`);--> statement-breakpoint
CREATE INDEX `campaigns_status_idx` ON `campaigns` (`status`);--> statement-breakpoint
CREATE TABLE `targets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`campaign_id` integer NOT NULL,
	`name` text NOT NULL,
	`title` text DEFAULT '' NOT NULL,
	`organisation` text DEFAULT '' NOT NULL,
	`country` text NOT NULL,
	`email` text NOT NULL,
	`postal_address` text DEFAULT '' NOT NULL,
	`language` text NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	`letters_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `targets_campaign_idx` ON `targets` (`campaign_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `targets_campaign_email_unique` ON `targets` (`campaign_id`,`email`);--> statement-breakpoint
CREATE TABLE `letter_templates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`campaign_id` integer NOT NULL,
	`language` text NOT NULL,
	`subject` text NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `letter_templates_campaign_language_unique` ON `letter_templates` (`campaign_id`,`language`);--> statement-breakpoint
CREATE TABLE `letters` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`public_id` text NOT NULL,
	`campaign_id` integer NOT NULL,
	`target_id` integer NOT NULL,
	`language` text NOT NULL,
	`supporter_name` text,
	`supporter_email` text,
	`email_normalized` text,
	`country` text NOT NULL,
	`city` text,
	`organisation` text,
	`note` text,
	`wants_copy` integer DEFAULT false NOT NULL,
	`consent` integer DEFAULT false NOT NULL,
	`subject` text NOT NULL,
	`body` text NOT NULL,
	`status` text NOT NULL,
	`confirm_token_hash` text,
	`confirm_expires_at` integer,
	`created_at` integer NOT NULL,
	`counted_at` integer,
	`sent_at` integer,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`target_id`) REFERENCES `targets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `letters_public_id_unique` ON `letters` (`public_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `letters_one_per_supporter_unique` ON `letters` (`campaign_id`,`target_id`,`email_normalized`);--> statement-breakpoint
CREATE UNIQUE INDEX `letters_confirm_token_unique` ON `letters` (`confirm_token_hash`) WHERE "letters"."confirm_token_hash" is not null;--> statement-breakpoint
CREATE INDEX `letters_campaign_created_idx` ON `letters` (`campaign_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `captured_mail` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`outbox_id` integer,
	`recipient` text NOT NULL,
	`subject` text NOT NULL,
	`raw` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`letter_id` integer,
	`topic` text,
	`recipient` text NOT NULL,
	`message` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`locked_until` integer,
	`last_error` text,
	`not_after` integer,
	`created_at` integer NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE INDEX `outbox_due_idx` ON `outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `outbox_letter_idx` ON `outbox` (`letter_id`);--> statement-breakpoint
CREATE INDEX `outbox_topic_idx` ON `outbox` (`topic`,`status`) WHERE "outbox"."topic" is not null;--> statement-breakpoint
CREATE TABLE `pickets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`campaign_id` integer NOT NULL,
	`title` text NOT NULL,
	`venue` text NOT NULL,
	`address` text NOT NULL,
	`city` text NOT NULL,
	`country` text NOT NULL,
	`time_zone` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`capacity` integer,
	`bring` text DEFAULT '' NOT NULL,
	`contact` text DEFAULT '' NOT NULL,
	`reminders` text NOT NULL,
	`status` text DEFAULT 'scheduled' NOT NULL,
	`sequence` integer DEFAULT 0 NOT NULL,
	`going_count` integer DEFAULT 0 NOT NULL,
	`waitlisted_count` integer DEFAULT 0 NOT NULL,
	`reminders_done_through` integer,
	`cancelled_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `pickets_campaign_starts_idx` ON `pickets` (`campaign_id`,`starts_at`);--> statement-breakpoint
CREATE INDEX `pickets_status_starts_idx` ON `pickets` (`status`,`starts_at`);--> statement-breakpoint
CREATE TABLE `reminder_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`rsvp_id` integer NOT NULL,
	`offset_minutes` integer NOT NULL,
	`starts_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`rsvp_id`) REFERENCES `rsvps`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reminder_deliveries_once_unique` ON `reminder_deliveries` (`rsvp_id`,`offset_minutes`,`starts_at`);--> statement-breakpoint
CREATE TABLE `rsvps` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`picket_id` integer NOT NULL,
	`token` text NOT NULL,
	`name` text,
	`email` text,
	`email_normalized` text,
	`consent` integer DEFAULT false NOT NULL,
	`status` text NOT NULL,
	`reminders_stopped` integer DEFAULT false NOT NULL,
	`checked_in_at` integer,
	`created_at` integer NOT NULL,
	`waitlisted_at` integer,
	`cancelled_at` integer,
	FOREIGN KEY (`picket_id`) REFERENCES `pickets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rsvps_token_unique` ON `rsvps` (`token`);--> statement-breakpoint
CREATE UNIQUE INDEX `rsvps_one_per_email_unique` ON `rsvps` (`picket_id`,`email_normalized`);--> statement-breakpoint
CREATE INDEX `rsvps_picket_status_idx` ON `rsvps` (`picket_id`,`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `api_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_hash_unique` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer,
	`user_email` text,
	`action` text NOT NULL,
	`campaign_id` integer,
	`subject` text,
	`detail` text,
	`ip` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_created_idx` ON `audit_log` (`created_at`);--> statement-breakpoint
CREATE INDEX `audit_log_campaign_idx` ON `audit_log` (`campaign_id`);--> statement-breakpoint
CREATE TABLE `campaign_organizers` (
	`user_id` integer NOT NULL,
	`campaign_id` integer NOT NULL,
	PRIMARY KEY(`user_id`, `campaign_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `invitations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`token_hash` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invitations_token_unique` ON `invitations` (`token_hash`);--> statement-breakpoint
CREATE TABLE `offline_letters` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`campaign_id` integer NOT NULL,
	`count` integer NOT NULL,
	`date` text NOT NULL,
	`group_name` text NOT NULL,
	`country` text NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `offline_letters_campaign_idx` ON `offline_letters` (`campaign_id`,`date`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`sid` text PRIMARY KEY NOT NULL,
	`data` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sessions_expires_idx` ON `sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`email` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`role` text NOT NULL,
	`password_hash` text,
	`disabled_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);