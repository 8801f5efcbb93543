"""Back-office plumbing shared by the apps' ``admin.py``."""


class ScopedAdminMixin:
    """Back-office lists pass the same access entry point as the portal's pages (``Model.objects.for_user``)."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)
