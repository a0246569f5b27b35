"""The seven information-sharing conditions a WCA must address (CBSA Customs Enforcement Manual;
evaluation report Exhibit 6)."""

from django.db import migrations

CONDITIONS = [
    (
        "a",
        "Specification that information provided remains CBSA property",
        "Précision que les renseignements fournis demeurent la propriété de l'ASFC",
    ),
    (
        "b",
        "Identification of participants, purpose of operation, and authorities for information sharing",
        "Identification des participants, de l'objet de l'opération et des pouvoirs autorisant "
        "l'échange de renseignements",
    ),
    (
        "c",
        "Specification of return or destruction of information (and notification to partners) unless "
        "required for legal proceedings",
        "Précision du retour ou de la destruction des renseignements (et avis aux partenaires), sauf "
        "s'ils sont requis pour une procédure judiciaire",
    ),
    (
        "d",
        "Identification of information source and statement of provision and storing of information "
        "regarding security classification",
        "Identification de la source des renseignements et énoncé sur leur communication et leur "
        "conservation selon leur cote de sécurité",
    ),
    (
        "e",
        "Purpose for information disclosure under the agreement and prohibition of use of information "
        "for other purposes without CBSA approval",
        "Objet de la communication des renseignements en vertu de l'entente et interdiction de les "
        "utiliser à d'autres fins sans l'approbation de l'ASFC",
    ),
    (
        "f",
        "Specification of mechanism for sharing personal information, accountability and consequences "
        "for improper use or disclosure",
        "Précision du mécanisme d'échange de renseignements personnels, des responsabilités et des "
        "conséquences d'une utilisation ou d'une communication inappropriée",
    ),
    (
        "g",
        "Outline of appropriate storage, use and disposal of information",
        "Description des modalités appropriées de stockage, d'utilisation et d'élimination des "
        "renseignements",
    ),
]


def create_conditions(apps, schema_editor):
    Condition = apps.get_model("agreements", "InformationSharingCondition")
    for letter, text_en, text_fr in CONDITIONS:
        Condition.objects.update_or_create(letter=letter, defaults={"text_en": text_en, "text_fr": text_fr})


def remove_conditions(apps, schema_editor):
    apps.get_model("agreements", "InformationSharingCondition").objects.filter(
        letter__in=[letter for letter, *_ in CONDITIONS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]

    operations = [migrations.RunPython(create_conditions, remove_conditions)]
