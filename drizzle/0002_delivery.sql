CREATE TABLE `digests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`campaign_id` integer NOT NULL,
	`target_id` integer NOT NULL,
	`period_start` integer NOT NULL,
	`period_end` integer NOT NULL,
	`letter_count` integer NOT NULL,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`target_id`) REFERENCES `targets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `digests_target_idx` ON `digests` (`target_id`,`period_end`);--> statement-breakpoint
CREATE TABLE `bounced_addresses` (
	`address_key` text PRIMARY KEY NOT NULL,
	`reason` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
-- (Outbox has no foreign keys: the table is rebuilt only to let `message` be null.)
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`letter_id` integer,
	`topic` text,
	`digest_id` integer,
	`recipient` text NOT NULL,
	`message` text,
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
INSERT INTO `__new_outbox`("id", "kind", "letter_id", "topic", "recipient", "message", "status", "attempts", "next_attempt_at", "locked_until", "last_error", "not_after", "created_at", "sent_at") SELECT "id", "kind", "letter_id", "topic", "recipient", "message", "status", "attempts", "next_attempt_at", "locked_until", "last_error", "not_after", "created_at", "sent_at" FROM `outbox`;--> statement-breakpoint
DROP TABLE `outbox`;--> statement-breakpoint
ALTER TABLE `__new_outbox` RENAME TO `outbox`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `outbox_due_idx` ON `outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `outbox_letter_idx` ON `outbox` (`letter_id`);--> statement-breakpoint
CREATE INDEX `outbox_topic_idx` ON `outbox` (`topic`,`status`) WHERE "outbox"."topic" is not null;--> statement-breakpoint
CREATE INDEX `outbox_official_idx` ON `outbox` (`recipient`,`created_at`) WHERE "outbox"."kind" in ('letter', 'digest');--> statement-breakpoint
ALTER TABLE `targets` ADD `delivery` text DEFAULT 'each' NOT NULL;--> statement-breakpoint
ALTER TABLE `targets` ADD `max_per_hour` integer DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE `targets` ADD `send_hours_from` integer DEFAULT 8 NOT NULL;--> statement-breakpoint
ALTER TABLE `targets` ADD `send_hours_to` integer DEFAULT 18 NOT NULL;--> statement-breakpoint
ALTER TABLE `targets` ADD `time_zone` text;--> statement-breakpoint
ALTER TABLE `targets` ADD `digest_every` text DEFAULT 'day' NOT NULL;--> statement-breakpoint
ALTER TABLE `targets` ADD `digest_hour` integer DEFAULT 9 NOT NULL;--> statement-breakpoint
ALTER TABLE `targets` ADD `for_countries` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `targets` ADD `delivery_state` text DEFAULT 'ok' NOT NULL;--> statement-breakpoint
ALTER TABLE `targets` ADD `bounce_reason` text;--> statement-breakpoint
ALTER TABLE `targets` ADD `bounced_at` integer;--> statement-breakpoint
ALTER TABLE `letters` ADD `delivered_via` text;--> statement-breakpoint
ALTER TABLE `letters` ADD `digest_id` integer;--> statement-breakpoint
CREATE INDEX `letters_waiting_idx` ON `letters` (`target_id`,`id`) WHERE "letters"."status" = 'queued';--> statement-breakpoint
-- Letters whose mail is already in the outbox are on their way: the delivery producer must not queue them again.
UPDATE `letters` SET `status` = 'outgoing' WHERE `status` = 'queued' AND `id` IN (SELECT `letter_id` FROM `outbox` WHERE `kind` = 'letter' AND `status` IN ('queued', 'sending'));
