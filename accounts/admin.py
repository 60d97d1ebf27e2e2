from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group

from newsroom.admin_guards import GuardedAdminMixin

from .models import User


@admin.register(User)
class NewsroomUserAdmin(GuardedAdminMixin, UserAdmin):
    pass


admin.site.unregister(Group)


@admin.register(Group)
class NewsroomGroupAdmin(GuardedAdminMixin, GroupAdmin):
    pass
