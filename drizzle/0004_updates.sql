CREATE TABLE `person_photos` (
	`person_id` integer PRIMARY KEY NOT NULL,
	`content_type` text NOT NULL,
	`bytes` blob NOT NULL,
	`width` integer NOT NULL,
	`height` integer NOT NULL,
	`alt` text DEFAULT '' NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`person_id`) REFERENCES `campaign_people`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `person_status_changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`person_id` integer NOT NULL,
	`update_id` integer,
	`language` text NOT NULL,
	`status` text NOT NULL,
	`translations` text DEFAULT '{}' NOT NULL,
	`happened_on` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`person_id`) REFERENCES `campaign_people`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`update_id`) REFERENCES `updates`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `person_status_changes_person_idx` ON `person_status_changes` (`person_id`,`happened_on`);--> statement-breakpoint
CREATE TABLE `unsubscribes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`campaign_id` integer NOT NULL,
	`email_normalized` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `unsubscribes_campaign_email_unique` ON `unsubscribes` (`campaign_id`,`email_normalized`);--> statement-breakpoint
CREATE TABLE `update_mail_days` (
	`campaign_id` integer NOT NULL,
	`email_normalized` text NOT NULL,
	`day` text NOT NULL,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `update_mail_days_unique` ON `update_mail_days` (`campaign_id`,`email_normalized`,`day`);--> statement-breakpoint
CREATE TABLE `update_recipients` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`update_id` integer NOT NULL,
	`campaign_id` integer NOT NULL,
	`email_normalized` text NOT NULL,
	`email` text,
	`name` text,
	`language` text,
	`token` text NOT NULL,
	`state` text DEFAULT 'waiting' NOT NULL,
	`queued_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`update_id`) REFERENCES `updates`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `update_recipients_once_unique` ON `update_recipients` (`update_id`,`email_normalized`);--> statement-breakpoint
CREATE UNIQUE INDEX `update_recipients_token_unique` ON `update_recipients` (`token`);--> statement-breakpoint
CREATE INDEX `update_recipients_waiting_idx` ON `update_recipients` (`update_id`,`state`,`id`);--> statement-breakpoint
CREATE TABLE `updates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`campaign_id` integer NOT NULL,
	`language` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`translations` text DEFAULT '{}' NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`published_at` integer,
	`mail_state` text DEFAULT 'none' NOT NULL,
	`recipients` integer DEFAULT 0 NOT NULL,
	`mail_started_at` integer,
	`mail_done_at` integer,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `updates_campaign_published_idx` ON `updates` (`campaign_id`,`status`,`published_at`);