"""Audit trail (django-auditlog): who created, changed, deleted or *viewed* which record.

Entries keep the actor, the action, the object type and id and the changed field names; health
content (documents) and secrets (password, token hashes) are excluded, so the trail can outlive
an erasure without holding health data.
"""
