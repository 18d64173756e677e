"""Generated candidate names in Kazakh, Russian and English spelling.

Every candidate of a generated definition is fictional: a common Kazakh (or, in the north
and east, Russian) given name and surname, spelt as a Kazakh ballot (``kk``), a Russian
ballot (``ru``) and in the Latin transliteration used in Kazakh passports (``en``).
"""

from __future__ import annotations

import random

Spelling = tuple[str, str, str]

KAZAKH_MEN: tuple[Spelling, ...] = (
    ("Ерлан", "Ерлан", "Yerlan"),
    ("Нұрлан", "Нурлан", "Nurlan"),
    ("Дәурен", "Даурен", "Dauren"),
    ("Асхат", "Асхат", "Askhat"),
    ("Бауыржан", "Бауыржан", "Bauyrzhan"),
    ("Ерболат", "Ерболат", "Yerbolat"),
    ("Ғалымжан", "Галымжан", "Galymzhan"),
    ("Қайрат", "Кайрат", "Kairat"),
    ("Марат", "Марат", "Marat"),
    ("Серік", "Серик", "Serik"),
    ("Төлеген", "Тулеген", "Tulegen"),
    ("Жандос", "Жандос", "Zhandos"),
    ("Мұрат", "Мурат", "Murat"),
    ("Бекзат", "Бекзат", "Bekzat"),
    ("Әділет", "Адилет", "Adilet"),
    ("Нұржан", "Нуржан", "Nurzhan"),
    ("Ержан", "Ержан", "Yerzhan"),
    ("Арман", "Арман", "Arman"),
    ("Дидар", "Дидар", "Didar"),
    ("Олжас", "Олжас", "Olzhas"),
    ("Талғат", "Талгат", "Talgat"),
    ("Санжар", "Санжар", "Sanzhar"),
    ("Әлібек", "Алибек", "Alibek"),
    ("Руслан", "Руслан", "Ruslan"),
)
KAZAKH_WOMEN: tuple[Spelling, ...] = (
    ("Айгүл", "Айгуль", "Aigul"),
    ("Әсел", "Асель", "Assel"),
    ("Жанар", "Жанар", "Zhanar"),
    ("Гүлнар", "Гульнар", "Gulnar"),
    ("Мәдина", "Мадина", "Madina"),
    ("Динара", "Динара", "Dinara"),
    ("Сәуле", "Сауле", "Saule"),
    ("Ләззат", "Ляззат", "Lyazzat"),
    ("Айжан", "Айжан", "Aizhan"),
    ("Гүлмира", "Гульмира", "Gulmira"),
    ("Ақмарал", "Акмарал", "Akmaral"),
    ("Назерке", "Назерке", "Nazerke"),
    ("Балжан", "Балжан", "Balzhan"),
    ("Жұлдыз", "Жулдыз", "Zhuldyz"),
    ("Меруерт", "Меруерт", "Meruert"),
    ("Әйгерім", "Айгерим", "Aigerim"),
    ("Ботагөз", "Ботагоз", "Botagoz"),
    ("Салтанат", "Салтанат", "Saltanat"),
)
KAZAKH_SURNAMES: tuple[Spelling, ...] = (
    ("Ахметов", "Ахметов", "Akhmetov"),
    ("Сейітов", "Сеитов", "Seitov"),
    ("Омаров", "Омаров", "Omarov"),
    ("Жұмабаев", "Жумабаев", "Zhumabayev"),
    ("Нұрғалиев", "Нургалиев", "Nurgaliyev"),
    ("Тоқтаров", "Токтаров", "Toktarov"),
    ("Қасымов", "Касымов", "Kassymov"),
    ("Әбенов", "Абенов", "Abenov"),
    ("Сәрсенбаев", "Сарсенбаев", "Sarsenbayev"),
    ("Бекмұханов", "Бекмуханов", "Bekmukhanov"),
    ("Есенов", "Есенов", "Yessenov"),
    ("Ибраев", "Ибраев", "Ibrayev"),
    ("Байжанов", "Байжанов", "Baizhanov"),
    ("Құрманов", "Курманов", "Kurmanov"),
    ("Мұхамеджанов", "Мухамеджанов", "Mukhamedzhanov"),
    ("Тілеубаев", "Тлеубаев", "Tleubayev"),
    ("Жақыпов", "Жакупов", "Zhakupov"),
    ("Серікбаев", "Серикбаев", "Serikbayev"),
    ("Оспанов", "Оспанов", "Ospanov"),
    ("Әлиев", "Алиев", "Aliyev"),
    ("Дүйсенов", "Дуйсенов", "Duisenov"),
    ("Қалиев", "Калиев", "Kaliyev"),
    ("Нұрмағамбетов", "Нурмагамбетов", "Nurmagambetov"),
    ("Төлегенов", "Тулегенов", "Tulegenov"),
    ("Ермеков", "Ермеков", "Yermekov"),
    ("Смағұлов", "Смагулов", "Smagulov"),
    ("Абдрахманов", "Абдрахманов", "Abdrakhmanov"),
    ("Исаев", "Исаев", "Issayev"),
    ("Мұсин", "Мусин", "Mussin"),
    ("Жүнісов", "Жунусов", "Zhunussov"),
)
RUSSIAN_MEN: tuple[Spelling, ...] = (
    ("Сергей", "Сергей", "Sergey"),
    ("Андрей", "Андрей", "Andrey"),
    ("Владимир", "Владимир", "Vladimir"),
    ("Игорь", "Игорь", "Igor"),
    ("Дмитрий", "Дмитрий", "Dmitriy"),
    ("Александр", "Александр", "Aleksandr"),
)
RUSSIAN_WOMEN: tuple[Spelling, ...] = (
    ("Елена", "Елена", "Yelena"),
    ("Ольга", "Ольга", "Olga"),
    ("Наталья", "Наталья", "Natalya"),
    ("Татьяна", "Татьяна", "Tatyana"),
    ("Ирина", "Ирина", "Irina"),
)
RUSSIAN_SURNAMES: tuple[Spelling, ...] = (
    ("Иванов", "Иванов", "Ivanov"),
    ("Петров", "Петров", "Petrov"),
    ("Кузнецов", "Кузнецов", "Kuznetsov"),
    ("Смирнов", "Смирнов", "Smirnov"),
    ("Попов", "Попов", "Popov"),
    ("Васильев", "Васильев", "Vasilyev"),
    ("Морозов", "Морозов", "Morozov"),
    ("Волков", "Волков", "Volkov"),
    ("Ковалев", "Ковалев", "Kovalev"),
)


def candidate_name(rng: random.Random, russian_share: float = 0.0) -> dict[str, str]:
    """A fictional candidate's name as ``{kk, ru, en}``: surname and given name on the
    Cyrillic ballots, given name first in English. ``russian_share`` is the chance of a
    Russian name."""
    woman = rng.random() < 0.35
    if rng.random() < russian_share:
        given = rng.choice(RUSSIAN_WOMEN if woman else RUSSIAN_MEN)
        surname = rng.choice(RUSSIAN_SURNAMES)
    else:
        given = rng.choice(KAZAKH_WOMEN if woman else KAZAKH_MEN)
        surname = rng.choice(KAZAKH_SURNAMES)
    ending = "\u0430" if woman else ""  # Cyrillic a: the feminine surname
    latin_ending = "a" if woman else ""
    return {
        "kk": f"{surname[0]}{ending} {given[0]}",
        "ru": f"{surname[1]}{ending} {given[1]}",
        "en": f"{given[2]} {surname[2]}{latin_ending}",
    }
