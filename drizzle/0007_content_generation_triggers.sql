-- Custom SQL migration file, put your code below! --
-- What a letter is written from changes rarely and is read on every letter: hot paths keep it in
-- memory and check only content_generation.n, which these triggers raise on any change but a tally's.
INSERT INTO `content_generation` (`id`, `n`) VALUES (1, 0);
--> statement-breakpoint
CREATE TRIGGER `campaigns_generation_insert` AFTER INSERT ON `campaigns` BEGIN UPDATE `content_generation` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `campaigns_generation_delete` AFTER DELETE ON `campaigns` BEGIN UPDATE `content_generation` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `campaigns_generation_update` AFTER UPDATE OF `slug`, `title`, `summary`, `story`, `goal`, `status`, `confirm_letters`, `confirm_rsvps`, `languages`, `translations`, `created_at`, `updated_at` ON `campaigns` BEGIN UPDATE `content_generation` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `targets_generation_insert` AFTER INSERT ON `targets` BEGIN UPDATE `content_generation` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `targets_generation_delete` AFTER DELETE ON `targets` BEGIN UPDATE `content_generation` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `targets_generation_update` AFTER UPDATE OF `campaign_id`, `name`, `title`, `organisation`, `country`, `email`, `postal_address`, `language`, `position`, `created_at`, `updated_at`, `pending_email`, `pending_email_by`, `pending_email_at`, `delivery`, `max_per_hour`, `send_hours_from`, `send_hours_to`, `time_zone`, `digest_every`, `digest_hour`, `for_countries`, `delivery_state`, `bounce_reason`, `bounced_at`, `salutation`, `translations` ON `targets` BEGIN UPDATE `content_generation` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `letter_templates_generation_insert` AFTER INSERT ON `letter_templates` BEGIN UPDATE `content_generation` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `letter_templates_generation_update` AFTER UPDATE ON `letter_templates` BEGIN UPDATE `content_generation` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `letter_templates_generation_delete` AFTER DELETE ON `letter_templates` BEGIN UPDATE `content_generation` SET `n` = `n` + 1 WHERE `id` = 1; END;
