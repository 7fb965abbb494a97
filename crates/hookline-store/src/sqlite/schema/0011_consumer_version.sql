-- Each save of a polling-endpoint consumer moves its version on; a save is made only from the
-- version it read (compare-and-set), so two requests changing one consumer at once cannot undo
-- each other's change. Consumers saved before this migration start at 0.
ALTER TABLE poller_consumers ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
