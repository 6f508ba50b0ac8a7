def test_home_page_presents_the_business_and_the_booking_button(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Book a free 30-minute strategy call" in response.data


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
