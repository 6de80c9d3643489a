from participants.identity import contact_id_for, normalize_email, normalize_phone


def test_normalize_email_lower_cases_and_rejects_bad_syntax():
    assert normalize_email("  Foo.Bar@Example.COM ") == "foo.bar@example.com"
    assert normalize_email("not-an-email") is None
    assert normalize_email("a@b") is None
    assert normalize_email("") is None
    assert normalize_email(None) is None
    assert normalize_email(42) is None


def test_normalize_phone_gives_e164_with_us_default():
    assert normalize_phone("(212) 555-0134") == "+12125550134"
    assert normalize_phone("+1 415 555 2671") == "+14155552671"
    assert normalize_phone(2128675309) == "+12128675309"
    assert normalize_phone("555-0134") is None
    assert normalize_phone("call me") is None
    assert normalize_phone(None) is None
    assert normalize_phone(True) is None


def test_contact_id_prefers_email_then_phone():
    assert contact_id_for(email="A@Example.com", phone="212-555-0134") == "a@example.com"
    assert contact_id_for(email="broken@", phone="212-555-0134") == "+12125550134"
    assert contact_id_for(email=None, phone=None) is None
    assert contact_id_for(email="a@example.com", phone=None) == contact_id_for(
        email=contact_id_for(email="a@example.com", phone=None), phone=None
    )
