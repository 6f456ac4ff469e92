def test_home_page_is_served_in_english(client):
    response = client.get("/en/")
    assert response.status_code == 200
    assert b'<html lang="en">' in response.data
