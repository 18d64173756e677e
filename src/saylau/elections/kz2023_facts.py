"""Figures for the kz-2023 definition and generated night that are not in the TOML files.

Each table says whether it is real (with its source) or generated (an estimate or a chosen
value that only has to be plausible). Real figures are used exactly; generated ones only
shape what is generated around them.
"""

from __future__ import annotations

from collections.abc import Mapping

AGAINST_ALL = "against_all"

# --- real: sources added to the definition's `sources` (election.toml lists the others) ---
EXTRA_SOURCES: tuple[str, ...] = (
    # 10,146 polling stations in the country; Turkistan 1,177,507 and Ulytau 138,277 voters
    "https://www.inform.kz/en/2023-elections-all-10-146-polling-stations-open-countrywide_a4047446",
    # 77 polling stations abroad
    "https://el.kz/en/10223-polling-stations-open-countrywide-and-abroad_68391/",
    # turnout by region at 22:10 on election day (CEC)
    "https://en.inform.kz/news/2023-parliamentary-elections-in-kazakhstan-voter-turnout-at-54-19_a4047921/",
    # Kyzylorda region: 486,002 voters, 373 polling stations
    "https://kyzylorda-news.kz/ru/politika/vybory-deputatov-mazhilisa-i-maslihatov-startovali-v-kazahstane-19-03-2023",
    # Semey: 149 polling stations
    "https://semeyainasy.media/2023/03/16/gotovnost-k-vyboram-v-gorode-semej",
    # Astana maslikhat: 788,931 voters, 332,694 ballots, party-list votes
    "https://en.inform.kz/news/amanat-party-wins-big-in-2023-local-elections-in-kazakh-capital_a4049365/",
    # Almaty maslikhat: 302,270 voters took part, party-list votes
    "https://nur-news.net/politika/item/160653-rezultaty-vyborov-v-maslihat-almaty",
    # Nura, the fifth district of Astana (December 2022)
    "https://www.inform.kz/en/new-district-in-astana-to-be-named-nura_a4017622/amp",
)

# --- real: voters on the lists of some regions (sources above) ---
ELECTORATE_REAL: Mapping[str, int] = {
    "kz-turkistan": 1_177_507,
    "kz-ulytau": 138_277,
    "kz-kyzylorda": 486_002,
    "kz-astana": 788_931,
}
# --- derived: Almaty's 302,270 voters who took part at the published turnout of 25.82 % ---
ELECTORATE_DERIVED: Mapping[str, int] = {"kz-almaty": 1_170_666}
# --- generated: the other regions in proportion to these estimates (approximate adult
# population at the start of 2023; Mangystau 'nearly 420 thousand' as reported); they are
# scaled together so that the national total is the official 12,035,578 ---
ELECTORATE_ESTIMATE: Mapping[str, int] = {
    "kz-abay": 422_000,
    "kz-akmola": 551_000,
    "kz-aktobe": 568_000,
    "kz-almaty-region": 941_000,
    "kz-atyrau": 399_000,
    "kz-east-kazakhstan": 524_000,
    "kz-jambyl": 704_000,
    "kz-jetisu": 445_000,
    "kz-karaganda": 804_000,
    "kz-kostanay": 598_000,
    "kz-mangystau": 420_000,
    "kz-north-kazakhstan": 397_000,
    "kz-pavlodar": 534_000,
    "kz-shymkent": 660_000,
    "kz-west-kazakhstan": 455_000,
}
# --- real: polling stations (10,146 in the country, 77 abroad; Kyzylorda 373; Semey 149) ---
STATIONS_DOMESTIC = 10_146
STATIONS_REGION_REAL: Mapping[str, int] = {"kz-kyzylorda": 373}
STATIONS_TERRITORY_REAL: Mapping[str, int] = {"kz-abay-city-semey": 149}
# --- generated: voters on the lists abroad (77 stations) and station sizes ---
ABROAD_VOTERS = 23_500
STATION_VOTERS_MIN = 40
STATION_VOTERS_MAX = 3_200
STATION_MEAN_URBAN = 1_850
STATION_MEAN_RURAL = 780

# --- real: turnout by region (CEC, 22:10 on election day), per cent of voters on the lists ---
TURNOUT_PERCENT: Mapping[str, float] = {
    "kz-abay": 57.02,
    "kz-akmola": 60.01,
    "kz-aktobe": 58.00,
    "kz-almaty-region": 60.03,
    "kz-atyrau": 51.23,
    "kz-west-kazakhstan": 59.20,
    "kz-jambyl": 65.21,
    "kz-jetisu": 55.32,
    "kz-karaganda": 59.48,
    "kz-kostanay": 65.10,
    "kz-kyzylorda": 67.21,
    "kz-mangystau": 54.10,
    "kz-pavlodar": 58.68,
    "kz-north-kazakhstan": 65.25,
    "kz-turkistan": 53.01,
    "kz-ulytau": 58.99,
    "kz-east-kazakhstan": 64.15,
    "kz-astana": 42.91,
    "kz-almaty": 25.82,
    "kz-shymkent": 45.46,
}
ABROAD_TURNOUT_PERCENT = 55.0  # generated
# real: the final national turnout (CEC, 27 March 2023): 54.21 % of 12,035,578
BALLOTS_ISSUED_NATIONAL = 6_524_487
# real: ballots cast in the capital and in Almaty (their territorial commissions)
BALLOTS_ISSUED_REAL: Mapping[str, int] = {"kz-astana": 332_694, "kz-almaty": 302_270}

# --- real: regional maslikhat party-list results (territorial commissions) ---
REGIONAL_LIST_RESULTS: Mapping[str, Mapping[str, int]] = {
    "kz-astana": {
        "amanat": 227_307,
        "auyl": 2_197,
        "respublica": 5_401,
        "qhp": 18_174,
        "baytaq": 18_154,
        "ak-zhol": 56_045,
        AGAINST_ALL: 3_269,
    },
    "kz-almaty": {
        "amanat": 151_531,
        "auyl": 8_264,
        "respublica": 38_369,
        "qhp": 38_563,
        "baytaq": 23_266,
        "ak-zhol": 15_273,
        AGAINST_ALL: 16_490,
    },
    # only the five parties that won seats are published; the rest is generated
    "kz-kostanay": {
        "amanat": 195_232,
        "auyl": 44_220,
        "respublica": 22_115,
        "qhp": 22_325,
        "ak-zhol": 66_220,
    },
}
# inferred: JSDP is absent from the complete published results of Astana and Almaty
REGIONAL_LIST_ABSENT: Mapping[str, tuple[str, ...]] = {
    "kz-astana": ("jsdp",),
    "kz-almaty": ("jsdp",),
}

# --- real (districts.toml `covers`): territories of the Mazhilis districts in regions with
# several; Al-Farabi (Shymkent) is split between No. 6 and No. 7. No. 18 takes the rest of
# Karaganda region (inferred). Jambyl and Turkistan are split by a generated rule. ---
MAZHILIS_COVERS: Mapping[int, tuple[str, ...]] = {
    1: ("kz-astana-almaty", "kz-astana-baikonyr"),
    2: ("kz-astana-esil", "kz-astana-saryarka", "kz-astana-nura"),
    3: ("kz-almaty-alatau", "kz-almaty-auezov"),
    4: ("kz-almaty-almaly", "kz-almaty-zhetysu", "kz-almaty-turksib"),
    5: ("kz-almaty-bostandyk", "kz-almaty-medeu", "kz-almaty-nauryzbay"),
    6: ("kz-shymkent-abay", "kz-shymkent-turan", "kz-shymkent-al-farabi"),
    7: ("kz-shymkent-al-farabi", "kz-shymkent-enbekshi", "kz-shymkent-karatau"),
    11: (
        "kz-almaty-region-city-konaev",
        "kz-almaty-region-district-enbekshikazakh",
        "kz-almaty-region-district-kegen",
        "kz-almaty-region-district-raiymbek",
        "kz-almaty-region-district-talgar",
        "kz-almaty-region-district-uygur",
    ),
    12: (
        "kz-almaty-region-district-balkhash",
        "kz-almaty-region-district-ile",
        "kz-almaty-region-district-zhambyl",
        "kz-almaty-region-district-karasay",
    ),
    18: (
        "kz-karaganda-city-karaganda",
        "kz-karaganda-district-bukhar-zhyrau",
        "kz-karaganda-district-osakarov",
    ),
    19: (
        "kz-karaganda-city-temirtau",
        "kz-karaganda-city-balkhash",
        "kz-karaganda-city-priozersk",
        "kz-karaganda-city-saran",
        "kz-karaganda-city-shakhtinsk",
        "kz-karaganda-district-abai",
        "kz-karaganda-district-aktogay",
        "kz-karaganda-district-karkaraly",
        "kz-karaganda-district-nura",
        "kz-karaganda-district-shet",
    ),
}

# --- real names, generated shares of the city's voters: districts of the three cities ---
CityDistrict = tuple[str, str, str, str, float]  # id suffix, kk, ru, en, share
CITY_DISTRICTS: Mapping[str, tuple[CityDistrict, ...]] = {
    "kz-astana": (
        ("almaty", "Алматы ауданы", "район Алматы", "Almaty District", 0.26),
        ("baikonyr", "Байқоңыр ауданы", "район Байконыр", "Baikonyr District", 0.17),
        ("esil", "Есіл ауданы", "район Есиль", "Esil District", 0.19),
        ("saryarka", "Сарыарқа ауданы", "район Сарыарка", "Saryarka District", 0.22),
        ("nura", "Нұра ауданы", "район Нура", "Nura District", 0.16),
    ),
    "kz-almaty": (
        ("alatau", "Алатау ауданы", "Алатауский район", "Alatau District", 0.14),
        ("auezov", "Әуезов ауданы", "Ауэзовский район", "Auezov District", 0.19),
        ("almaly", "Алмалы ауданы", "Алмалинский район", "Almaly District", 0.12),
        ("zhetysu", "Жетісу ауданы", "Жетысуский район", "Zhetysu District", 0.09),
        ("turksib", "Түрксіб ауданы", "Турксибский район", "Turksib District", 0.12),
        ("bostandyk", "Бостандық ауданы", "Бостандыкский район", "Bostandyk District", 0.17),
        ("medeu", "Медеу ауданы", "Медеуский район", "Medeu District", 0.10),
        ("nauryzbay", "Наурызбай ауданы", "Наурызбайский район", "Nauryzbay District", 0.07),
    ),
    "kz-shymkent": (
        ("abay", "Абай ауданы", "Абайский район", "Abay District", 0.24),
        ("turan", "Тұран ауданы", "Туранский район", "Turan District", 0.12),
        ("al-farabi", "Әл-Фараби ауданы", "Аль-Фарабийский район", "Al-Farabi District", 0.18),
        ("enbekshi", "Еңбекші ауданы", "Енбекшинский район", "Enbekshi District", 0.22),
        ("karatau", "Қаратау ауданы", "Каратауский район", "Karatau District", 0.24),
    ),
}

# --- generated: share of a region's voters in each city of oblast significance (from
# approximate populations); district maslikhat units share the rest ---
CITY_SHARES: Mapping[str, float] = {
    "kz-abay-city-semey": 0.55,
    "kz-abay-city-kurchatov": 0.02,
    "kz-akmola-city-kokshetau": 0.22,
    "kz-akmola-city-kosshy": 0.05,
    "kz-akmola-city-stepnogorsk": 0.08,
    "kz-aktobe-city-aktobe": 0.58,
    "kz-almaty-region-city-konaev": 0.06,
    "kz-atyrau-city-atyrau": 0.48,
    "kz-west-kazakhstan-city-oral": 0.48,
    "kz-jambyl-city-taraz": 0.33,
    "kz-jetisu-city-taldykorgan": 0.25,
    "kz-jetisu-city-tekeli": 0.04,
    "kz-karaganda-city-karaganda": 0.42,
    "kz-karaganda-city-temirtau": 0.16,
    "kz-karaganda-city-balkhash": 0.06,
    "kz-karaganda-city-saran": 0.045,
    "kz-karaganda-city-shakhtinsk": 0.05,
    "kz-karaganda-city-priozersk": 0.01,
    "kz-kostanay-city-kostanay": 0.30,
    "kz-kostanay-city-rudny": 0.15,
    "kz-kostanay-city-lisakovsk": 0.045,
    "kz-kostanay-city-arkalyk": 0.035,
    "kz-kyzylorda-city-kyzylorda": 0.36,
    "kz-mangystau-city-aktau": 0.34,
    "kz-mangystau-city-zhanaozen": 0.20,
    "kz-north-kazakhstan-city-petropavl": 0.42,
    "kz-pavlodar-city-pavlodar": 0.45,
    "kz-pavlodar-city-ekibastuz": 0.17,
    "kz-pavlodar-city-aksu": 0.09,
    "kz-turkistan-city-turkistan": 0.10,
    "kz-turkistan-city-kentau": 0.05,
    "kz-turkistan-city-arys": 0.04,
    "kz-ulytau-city-zhezkazgan": 0.42,
    "kz-ulytau-city-satbayev": 0.30,
    "kz-ulytau-city-karazhal": 0.07,
    "kz-east-kazakhstan-city-oskemen": 0.45,
    "kz-east-kazakhstan-city-ridder": 0.08,
}
# generated: chance that a candidate has a Russian name (north and east)
RUSSIAN_NAMES: Mapping[str, float] = {
    "kz-akmola": 0.3,
    "kz-east-kazakhstan": 0.3,
    "kz-karaganda": 0.3,
    "kz-kostanay": 0.35,
    "kz-north-kazakhstan": 0.4,
    "kz-pavlodar": 0.35,
    "kz-abay": 0.15,
    "kz-astana": 0.1,
    "kz-almaty": 0.15,
}

# --- generated: how a region leans, as factors on the national share of each list line ---
LEAN_COLUMNS = ("amanat", "auyl", "respublica", "qhp", "baytaq", "ak-zhol", "jsdp", AGAINST_ALL)
REGION_LEAN: Mapping[str, tuple[float, ...]] = {
    "kz-astana": (1.20, 0.15, 0.35, 0.85, 1.9, 1.9, 0.9, 0.6),
    "kz-almaty": (0.85, 0.30, 1.50, 1.80, 3.0, 0.8, 1.6, 1.6),
    "kz-shymkent": (1.10, 0.70, 0.90, 0.70, 0.8, 0.8, 0.8, 0.9),
    "kz-abay": (1.00, 1.00, 0.80, 1.40, 0.8, 1.1, 1.1, 1.0),
    "kz-akmola": (0.95, 1.10, 0.80, 1.30, 0.8, 1.3, 1.1, 1.0),
    "kz-aktobe": (1.00, 1.00, 1.20, 0.90, 0.9, 1.0, 1.0, 1.0),
    "kz-almaty-region": (1.00, 1.20, 0.90, 0.90, 1.0, 0.8, 1.0, 0.9),
    "kz-atyrau": (0.90, 0.80, 2.00, 0.70, 0.9, 0.8, 1.0, 1.1),
    "kz-west-kazakhstan": (1.00, 1.00, 1.20, 1.00, 0.9, 1.1, 1.0, 1.0),
    "kz-jambyl": (1.10, 1.30, 0.70, 0.70, 0.7, 0.7, 0.8, 0.7),
    "kz-jetisu": (1.00, 1.20, 0.80, 0.90, 0.9, 0.9, 1.0, 0.9),
    "kz-karaganda": (0.95, 0.80, 0.90, 1.50, 0.9, 1.3, 1.3, 1.1),
    "kz-kostanay": (0.98, 1.10, 0.70, 0.90, 0.8, 2.1, 0.8, 1.0),
    "kz-kyzylorda": (1.15, 1.20, 0.80, 0.60, 0.6, 0.7, 0.7, 0.6),
    "kz-mangystau": (0.90, 0.80, 1.90, 0.70, 0.8, 0.9, 1.1, 1.2),
    "kz-pavlodar": (0.95, 1.00, 0.90, 1.50, 0.8, 1.2, 1.2, 1.0),
    "kz-north-kazakhstan": (1.00, 1.10, 0.70, 1.40, 0.7, 1.2, 1.0, 0.9),
    "kz-turkistan": (1.15, 1.30, 0.60, 0.50, 0.6, 0.6, 0.7, 0.6),
    "kz-ulytau": (1.00, 0.90, 1.00, 1.20, 0.8, 1.1, 1.1, 1.0),
    "kz-east-kazakhstan": (0.95, 1.00, 0.80, 1.50, 1.0, 1.2, 1.2, 1.0),
}
ABROAD_LEAN: tuple[float, ...] = (0.80, 0.30, 1.50, 0.80, 2.0, 1.2, 1.5, 1.5)
URBAN_LEAN: tuple[float, ...] = (0.92, 0.55, 1.25, 1.10, 1.4, 1.25, 1.3, 1.35)
RURAL_LEAN: tuple[float, ...] = (1.08, 1.45, 0.80, 0.90, 0.7, 0.80, 0.75, 0.7)
# real: polls closed an hour later (Astana time) in the five western regions
WESTERN_REGIONS: frozenset[str] = frozenset(
    {"kz-aktobe", "kz-atyrau", "kz-west-kazakhstan", "kz-kyzylorda", "kz-mangystau"}
)

DEFINITION_NOTES: tuple[str, ...] = (
    "Real: the date, the 20 regions, the 29 Mazhilis districts and their regions, the 7 parties "
    "in ballot order, the 223 maslikhats and their 3,415 seats (334 regional party-list "
    "seats), 12,035,578 voters on the lists, 10,223 polling stations (77 abroad), the voters "
    "of Turkistan, Ulytau, Kyzylorda and Astana, the 373 stations of Kyzylorda and the 149 of "
    "Semey. The data files say which maslikhat seat counts and district regions are generated.",
    "Generated: the voters of the other regions (in proportion to estimated adult population, "
    "scaled to the national total), every territory's voters, the number of stations of each "
    "territory (at least one per seat of its maslikhat) and every station's voters.",
    "Commission tree: CEC, the 20 regions, one territorial commission per city or district "
    "maslikhat (203) and per city district of Astana, Almaty and Shymkent (18), one for the "
    "77 stations abroad (under Astana), and one district commission per Mazhilis district.",
    "Stations abroad vote in the Mazhilis party-list contest only. Astana's regional "
    "maslikhat list is voted in Astana's five city districts.",
    "Mazhilis districts: territories as published for Astana, Almaty, Shymkent (Al-Farabi "
    "split by voters), Almaty Region and Karaganda; Jambyl and Turkistan are split into runs "
    "of whole territories of about equal voters (generated).",
    "Maslikhat single-member districts: each region's stations (regional maslikhat) and each "
    "territory's stations (city or district maslikhat) are split into runs of consecutive "
    "stations of about equal voters, one per seat (generated).",
    "Candidates of all single-member districts are fictional: generated names and "
    "nominations (2 to 5 per district; every Mazhilis district has an AMANAT nominee and a "
    "self-nominated candidate).",
    "JSDP is not on the regional party-list ballots of Astana and Almaty: it is absent from "
    "their complete published results (inferred).",
)
