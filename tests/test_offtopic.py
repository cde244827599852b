"""Economic news about something else links no figure to a metric, in every
language with population phrases (metrics.yaml): an article that never names
the surveyed population (customer service centers, the China Banking
Association) is about something else, whatever aliases it holds ("app",
"customer satisfaction", "rebranded"). Each article below was written for
this test: three or more sentences with figures, about cars, jobs and
airlines."""
from __future__ import annotations

import pytest

import cbafacts

ARTICLES = {
    "en": "The carmaker rebranded its electric line in 2024. Sales rose 12% and its app was downloaded 3 million "
          "times. Customer satisfaction with airlines fell to 71%, and the group cut 500 employees.",
    "de": "Der Autobauer hat 2024 rund 4.000 Mitarbeiter eingestellt. Der Umsatz stieg um 12 Prozent, die App "
          "wurde 3 Millionen Mal geladen. Die Zufriedenheit der Fluggäste sank auf 71 Prozent.",
    "fr": "Le constructeur a lancé une nouvelle application en 2024. Ses ventes ont progressé de 12 %. "
          "La satisfaction des passagers a reculé à 71 % et le groupe a supprimé 500 emplois.",
    "es": "La aerolínea renovó su aplicación en 2024. Sus ventas crecieron un 12 %. La satisfacción de los "
          "pasajeros bajó al 71 % y la empresa contrató a 500 empleados.",
    "pt": "A montadora lançou um novo aplicativo em 2024. As vendas subiram 12%. A satisfação dos passageiros "
          "caiu para 71% e a empresa contratou 500 funcionários.",
    "it": "La casa automobilistica ha lanciato una nuova app nel 2024. Le vendite sono salite del 12%. "
          "La soddisfazione dei passeggeri è scesa al 71% e il gruppo ha assunto 500 dipendenti.",
    "ru": "Автопроизводитель запустил новое приложение в 2024 году. Продажи выросли на 12%. Удовлетворённость "
          "пассажиров снизилась до 71%, компания наняла 500 сотрудников.",
    "zh": "某车企2024年推出新款手机应用。其销量增长12%。乘客满意度降至71%，公司新增员工500人。",
    "ja": "自動車大手は2024年に新しいアプリを公開した。販売台数は12％増えた。乗客の満足度は71％に下がり、"
          "従業員を500人増やした。",
    "ko": "자동차 업체는 2024년 새 앱을 내놓았다. 판매는 12% 늘었다. 승객 만족도는 71%로 떨어졌고 직원 500명을 "
          "새로 채용했다. 통화량은 4.6% 증가했다.",
    "id": "Produsen mobil itu meluncurkan aplikasi baru pada 2024. Penjualannya naik 12%. Kepuasan penumpang "
          "turun menjadi 71% dan perusahaan merekrut 500 karyawan.",
    "ms": "Pengeluar kereta itu melancarkan aplikasi baharu pada 2024. Jualan meningkat 12 peratus. Kepuasan "
          "penumpang jatuh kepada 71 peratus dan syarikat mengambil 500 pekerja.",
    "nl": "De autofabrikant lanceerde in 2024 een nieuwe app. De verkoop steeg met 12 procent. De tevredenheid "
          "van passagiers daalde naar 71 procent en er kwamen 500 medewerkers bij.",
}


@pytest.fixture(scope="module")
def extractor() -> cbafacts.Extractor:
    return cbafacts.Extractor()


@pytest.mark.parametrize("lang", sorted(ARTICLES))
def test_off_topic_article_links_nothing(extractor, lang):
    res = extractor.extract(ARTICLES[lang], lang=lang)
    assert res.error is None and len(res.claims) >= 3
    assert [(c.text, c.metric) for c in res.claims if c.metric] == []


def test_the_same_words_link_once_the_article_names_the_population(extractor):
    text = ("The China Banking Association surveyed customer service centers in 2024. "
            "Customer satisfaction reached 99.46%. The app channel was offered by 94% of centers.")
    metrics = {c.value: c.metric for c in extractor.extract(text, lang="en").claims}
    assert metrics == {99.46: "service.customer_satisfaction", 94.0: "channels.app_share"}
