-- Retention deletes punch photos by age; without this index every pass scans the photo table.
CREATE INDEX punch_photos_received_at ON punch_photos (received_at);
