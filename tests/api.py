"""One generic test mixin for every API resource: list, retrieve, create, update, delete,
400 on invalid data, and the refusals (anonymous, no role, and each role without the right).

A resource's test class says how to build payloads and which roles may write."""

from __future__ import annotations

import pytest

from tests.conftest import count_queries

ROLES = ("administrator", "analyst", "gta_manager")


def login(api, user):
    api.force_authenticate(user=user)
    return api


class ResourceAPITests:
    path: str  # e.g. "/api/v1/regions/"
    model: type
    writers: tuple[str, ...] = ("administrator",)  # may change `existing()`
    creators: tuple[str, ...] | None = None  # may create; default: the writers
    deleters: tuple[str, ...] = ("administrator",)
    delete_refusals: dict[str, int] = {}  # role -> status when a DELETE of these records is refused otherwise than with 403
    invalid_field: str

    # --- what each resource provides -------------------------------------------------
    def existing(self):
        """An object that every writer may change."""
        return self.model.objects.order_by("pk").first()

    def create_payload(self) -> dict:
        raise NotImplementedError

    def update_payload(self, obj) -> dict:
        raise NotImplementedError

    def invalid_payload(self) -> dict:
        raise NotImplementedError

    def make_extra(self, count: int) -> None:
        """Add `count` rows to prove the list's query count does not grow."""
        raise NotImplementedError

    def deletable(self):
        """A fresh object that nothing depends on."""
        raise NotImplementedError

    # --- the tests --------------------------------------------------------------------
    def user(self, request, role):
        return request.getfixturevalue(role)

    def detail(self, obj) -> str:
        return f"{self.path}{obj.pk}/"

    def test_anonymous_gets_no_data(self, api):
        response = api.get(self.path)
        assert response.status_code == 401
        assert "results" not in response.json()
        assert api.get(self.detail(self.existing())).status_code == 401
        assert api.post(self.path, self.create_payload(), format="json").status_code == 401

    def test_user_without_role_is_refused(self, api, no_role_user):
        login(api, no_role_user)
        assert api.get(self.path).status_code == 403
        assert api.get(self.detail(self.existing())).status_code == 403

    @pytest.mark.parametrize("role", ROLES)
    def test_every_role_lists_and_retrieves(self, api, request, role):
        login(api, self.user(request, role))
        response = api.get(self.path, {"page_size": 5})
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["count"] == self.model.objects.count()
        assert len(body["results"]) == min(5, body["count"])
        obj = self.existing()
        response = api.get(self.detail(obj))
        assert response.status_code == 200
        assert response.json()["id"] == obj.pk

    @pytest.mark.parametrize("role", ROLES)
    def test_create(self, api, request, role):
        login(api, self.user(request, role))
        before = self.model.objects.count()
        response = api.post(self.path, self.create_payload(), format="json")
        if role in (self.writers if self.creators is None else self.creators):
            assert response.status_code == 201, response.content
            assert self.model.objects.count() == before + 1
            assert self.model.objects.filter(pk=response.json()["id"]).exists()
        else:
            assert response.status_code == 403, response.content
            assert self.model.objects.count() == before

    @pytest.mark.parametrize("role", ROLES)
    def test_update(self, api, request, role):
        login(api, self.user(request, role))
        obj = self.existing()
        payload = self.update_payload(obj)
        snapshot = self.model.objects.filter(pk=obj.pk).values().get()
        etag = api.get(self.detail(obj))["ETag"]
        response = api.patch(self.detail(obj), payload, format="json", HTTP_IF_MATCH=etag)
        if role in self.writers:
            assert response.status_code == 200, response.content
            body = response.json()
            for field, value in payload.items():
                assert body[field] == value, field
        else:
            assert response.status_code == 403, response.content
            assert self.model.objects.filter(pk=obj.pk).values().get() == snapshot

    def test_put_replaces_with_the_same_rules(self, api, administrator):
        login(api, administrator)
        obj = self.existing()
        current = api.get(self.detail(obj)).json()
        writable = {k: v for k, v in current.items() if k in self.create_payload()}
        writable.update(self.update_payload(obj))
        etag = api.get(self.detail(obj))["ETag"]
        response = api.put(self.detail(obj), writable, format="json", HTTP_IF_MATCH=etag)
        assert response.status_code == 200, response.content

    def test_writes_need_the_current_etag(self, api, administrator):
        login(api, administrator)
        obj = self.existing()
        read = api.get(self.detail(obj))
        etag = read["ETag"]
        snapshot = self.model.objects.filter(pk=obj.pk).values().get()
        response = api.patch(self.detail(obj), self.update_payload(obj), format="json")
        assert response.status_code == 428, response.content
        assert self.model.objects.filter(pk=obj.pk).values().get() == snapshot
        assert api.patch(self.detail(obj), self.update_payload(obj), format="json", HTTP_IF_MATCH=etag).status_code == 200
        # The same (now stale) tag again: refused, nothing changed.
        changed = self.model.objects.filter(pk=obj.pk).values().get()
        response = api.patch(self.detail(obj), self.update_payload(obj), format="json", HTTP_IF_MATCH=etag)
        assert response.status_code == 412, response.content
        assert self.model.objects.filter(pk=obj.pk).values().get() == changed

    def test_history_is_read_only_and_records_the_api_user(self, api, administrator, analyst):
        login(api, administrator)
        obj = self.existing()
        before = self.model.objects.filter(pk=obj.pk).values().get()
        payload = self.update_payload(obj)
        expected = {field for field, value in payload.items() if field in before and str(before[field]) != str(value)}
        etag = api.get(self.detail(obj))["ETag"]
        assert api.patch(self.detail(obj), payload, format="json", HTTP_IF_MATCH=etag).status_code == 200
        login(api, analyst)
        response = api.get(f"{self.detail(obj)}history/")
        assert response.status_code == 200, response.content
        latest = response.json()["results"][0]
        assert (latest["user"], latest["entry_point"], latest["type"]) == (administrator.username, "api", "changed")
        assert expected and {change["field"] for change in latest["changes"]} >= expected
        for user in (analyst, administrator):  # history has no write method, whoever asks
            login(api, user)
            for method in (api.post, api.put, api.patch, api.delete):
                assert method(f"{self.detail(obj)}history/").status_code == 405, (user.username, method.__name__)

    def test_invalid_data_is_refused_with_a_message_per_field(self, api, administrator):
        login(api, administrator)
        before = self.model.objects.count()
        response = api.post(self.path, self.invalid_payload(), format="json")
        assert response.status_code == 400, response.content
        assert self.invalid_field in response.json(), response.json()
        assert self.model.objects.count() == before

    @pytest.mark.parametrize("role", ROLES)
    def test_delete(self, api, request, role):
        login(api, self.user(request, role))
        obj = self.deletable()
        response = api.delete(self.detail(obj))
        if role in self.deleters:
            assert response.status_code == 204, response.content
            assert not self.model.objects.filter(pk=obj.pk).exists()
        else:
            assert response.status_code == self.delete_refusals.get(role, 403), response.content
            assert self.model.objects.filter(pk=obj.pk).exists()

    def test_list_query_count_does_not_grow_with_rows(self, api, analyst):
        login(api, analyst)
        api.get(self.path)  # the first request also caches the user's role
        first = count_queries(lambda: api.get(self.path, {"page_size": 1000}))
        self.make_extra(6)
        response = api.get(self.path, {"page_size": 1000})
        assert response.status_code == 200
        assert count_queries(lambda: api.get(self.path, {"page_size": 1000})) == first
