from django.contrib import admin

from .models import Organization, Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "id_number_masked", "region"]
    search_fields = ["name"]
    readonly_fields = ["id_number_masked"]
    exclude = ["id_number_encrypted", "id_number_hash", "phone_encrypted"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "uscc_masked", "legal_representative", "region"]
    search_fields = ["name"]
    readonly_fields = ["uscc_masked"]
