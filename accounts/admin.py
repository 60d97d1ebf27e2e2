from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from newsroom.admin_guards import GuardedAdminMixin

from .models import User


@admin.register(User)
class NewsroomUserAdmin(GuardedAdminMixin, UserAdmin):
    pass
