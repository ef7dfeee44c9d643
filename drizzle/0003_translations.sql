ALTER TABLE `campaign_people` ADD `translations` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `campaigns` ADD `translations` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `targets` ADD `salutation` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `targets` ADD `translations` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `letters` ADD `supporter_language` text;--> statement-breakpoint
ALTER TABLE `pickets` ADD `translations` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `rsvps` ADD `language` text;