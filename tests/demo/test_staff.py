import stat

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from headlines.demo.staff import PASSWORD_FILE, USERNAME, staff_login_ensure

pytestmark = pytest.mark.django_db


def test_the_login_is_created_once_and_its_password_kept_in_the_data_dir(tmp_path) -> None:
    first = staff_login_ensure(data_dir=tmp_path)
    again = staff_login_ensure(data_dir=tmp_path)
    assert first.created and not again.created
    assert first.password == again.password and len(first.password) >= 12
    stored = tmp_path / PASSWORD_FILE
    assert stored.read_text().strip() == first.password
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert get_user_model().objects.filter(username=USERNAME).count() == 1


def test_the_printed_login_opens_the_admin(tmp_path) -> None:
    login = staff_login_ensure(data_dir=tmp_path)
    client = Client()
    assert client.login(username=login.username, password=login.password)
    assert client.get("/admin/").status_code == 200


def test_a_changed_or_demoted_account_is_put_back_to_the_printed_login(tmp_path) -> None:
    login = staff_login_ensure(data_dir=tmp_path)
    user = get_user_model().objects.get(username=USERNAME)
    user.set_password("something else")
    user.is_staff = False
    user.save()
    staff_login_ensure(data_dir=tmp_path)
    user.refresh_from_db()
    assert user.is_staff and user.check_password(login.password)


def test_an_empty_password_file_gets_a_new_password(tmp_path) -> None:
    (tmp_path / PASSWORD_FILE).write_text("\n")
    login = staff_login_ensure(data_dir=tmp_path)
    assert login.password and (tmp_path / PASSWORD_FILE).read_text().strip() == login.password
