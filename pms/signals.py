"""Keep per-property role groups and their guardian permissions in step with the data."""

from django.contrib.auth.models import Group
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from guardian.shortcuts import assign_perm, get_perms_for_model, remove_perm

from .models import Property, StaffMembership
from .permissions import property_group_name
from .roles import ROLE_CAPABILITIES


def sync_property_groups(prop: Property) -> None:
    """Create the role groups of a property and give each exactly its role's object permissions."""
    known = {p.codename for p in get_perms_for_model(Property)}
    for role, capabilities in ROLE_CAPABILITIES.items():
        group, _ = Group.objects.get_or_create(name=property_group_name(prop.code, role))
        for codename in known:
            if codename in capabilities:
                assign_perm(codename, group, prop)
            else:
                remove_perm(codename, group, prop)


def sync_membership_group(membership: StaffMembership) -> None:
    if membership.property_id is None:
        return
    group = Group.objects.get(name=property_group_name(membership.property.code, membership.role))
    if membership.is_active:
        membership.user.groups.add(group)
    else:
        still_active = StaffMembership.objects.filter(
            user_id=membership.user_id,
            property_id=membership.property_id,
            role=membership.role,
            is_active=True,
        ).exists()
        if not still_active:
            membership.user.groups.remove(group)


@receiver(post_save, sender=Property)
def _property_saved(sender, instance: Property, created: bool, raw: bool = False, **kwargs) -> None:
    if not raw and created:
        sync_property_groups(instance)


@receiver(post_save, sender=StaffMembership)
def _membership_saved(sender, instance: StaffMembership, raw: bool = False, **kwargs) -> None:
    if not raw:
        sync_membership_group(instance)


@receiver(post_delete, sender=StaffMembership)
def _membership_deleted(sender, instance: StaffMembership, **kwargs) -> None:
    if instance.property_id is None:
        return
    group = Group.objects.filter(name=property_group_name(instance.property.code, instance.role)).first()
    if group:
        instance.user.groups.remove(group)
