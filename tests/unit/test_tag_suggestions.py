from matchmaker.taxonomy.suggest import suggest


def test_polish_text_suggests_telemedicine_and_cardiology():
    text = {"pl": "Rozwijamy platformę telemedycyny dla pacjentów z niewydolnością serca."}
    codes = suggest(text, ("capability", "category", "specialisation"))
    assert {"telemedicine_platform", "ehealth_telemedicine", "cardiology"} <= set(codes)


def test_danish_text_suggests_clinical_validation_and_test_bed():
    text = {"da": "Vi tilbyder klinisk validering og et testmiljø på hospitalet."}
    assert suggest(text, ("capability",)) == ["clinical_validation", "test_bed"]


def test_norwegian_text_suggests_investment():
    assert suggest({"nb": "Vi trenger investorer og kapital."}, ("capability",)) == [
        "investment_capital"
    ]


def test_only_the_vocabularies_asked_for_are_searched():
    text = {"en": "A telemedicine platform for cardiology."}
    assert "cardiology" not in suggest(text, ("capability",))


def test_empty_or_unrelated_text_suggests_nothing():
    assert suggest({"en": ""}, ("capability",)) == []
    assert suggest({"en": "The weather was lovely on Tuesday."}, ("capability", "category")) == []


def test_limit_caps_the_suggestions():
    text = {
        "en": "telemedicine remote monitoring clinical validation test bed living lab investment"
    }
    assert len(suggest(text, ("capability",), limit=2)) == 2


def test_a_keyword_of_several_words_is_found_as_a_phrase_not_word_by_word():
    # "test bed": its words together, in any order, a few words apart at most...
    assert suggest({"en": "We need a test bed for the device."}, ("capability",)) == ["test_bed"]
    assert "test_bed" in suggest({"en": "A bed for tests in the ward."}, ("capability",))
    # ...not one word in one sentence and the other in the next,
    far = {"en": "We test every device we make. Each hospital bed then gets a sensor."}
    assert "test_bed" not in suggest(far, ("capability",))
    # nor across the texts of two languages.
    assert "test_bed" not in suggest({"en": "A test", "da": "bed"}, ("capability",))
