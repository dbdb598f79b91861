-- Saved HR sources run on demand (admin UI); nothing schedules them, so no interval.
ALTER TABLE people_import_sources DROP COLUMN interval_minutes;
