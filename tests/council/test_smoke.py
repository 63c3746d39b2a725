from tests.conftest import sign_in
from tests.factories import make_council, make_group, make_person, make_seat


def test_member_signs_in_and_sees_the_working_groups(client, db):
    make_council(db)
    seat = make_seat(db, name="Honduras")
    make_group(db, seats=[seat], name="Integration and narratives")
    person = make_person(db, seat=seat)
    db.commit()
    sign_in(client, person)
    response = client.get("/")
    assert response.status_code == 200
    assert response.template.name == "council/home.html"
    assert "Integration and narratives" in response.text
