-- Retention deletes background tasks that ended (status `finished` or `failed`: anything but
-- `running`) and last changed before a cutoff, oldest first, in batches. This index holds only
-- those tasks, by last change, so each batch reads the rows it deletes and no others (the same
-- index as SQLite's, which needs the `<>` form to choose it).
CREATE INDEX background_tasks_ended ON background_tasks(updated_at)
    WHERE status <> 'running';
