from django.contrib import admin

from core.models import IdempotencyKey, JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ["job", "started", "finished", "outcome"]
    list_filter = ["job", "outcome"]
    readonly_fields = [f.name for f in JobRun._meta.fields]


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    list_display = ["principal", "key", "method", "path", "response_status", "created"]
    readonly_fields = [f.name for f in IdempotencyKey._meta.fields]
