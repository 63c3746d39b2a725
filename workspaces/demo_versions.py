"""Translations of the demo council's drafts, for their language versions.

Professional translations, in the register of UN and OAS texts, of every paragraph of the
latest revision of the demo drafts (workspaces.demo: DEMO_DRAFTS, with the amendment accepted
in working group 2), and of their titles and purposes. Each entry is keyed by the original text
exactly as the demo writes it, and gives the draft's two other official languages: an English
draft's paragraphs have "es" and "fr", the French draft's "en" and "es", the Spanish draft's
"en" and "fr". Translations keep the Markdown markers ("# ", "- ") of the original.

Terms are used consistently: asylum = asilo / asile; refugee status determination =
determinación de la condición de refugiado / détermination du statut de réfugié; unaccompanied
children (children travelling alone) = niñas, niños y adolescentes no acompañados / enfants non
accompagnés; member states = Estados miembros / États membres; pledges = compromisos /
engagements; planned relocation = reubicación planificada / relocalisation planifiée; returnees
= personas retornadas / personnes de retour. French follows French typography (a no-break space
before ":", a narrow one before ";", "?" and "!", and in numbers; the apostrophe ’).

This module imports nothing from workspaces.demo, which uses it: the keys repeat the texts.
"""

TITLES: dict[str, dict[str, str]] = {
    "Strengthen asylum capacity and protection across the region": {
        "es": "Fortalecer la capacidad de asilo y la protección en toda la región",
        "fr": "Renforcer les capacités d’asile et la protection dans l’ensemble de la région",
    },
    "Partager la responsabilité : un mécanisme régional de solidarité": {
        "en": "Sharing responsibility: a regional solidarity mechanism",
        "es": "Compartir la responsabilidad: un mecanismo regional de solidaridad",
    },
    "Fortalecer el Estado de derecho y la lucha contra la corrupción": {
        "en": "Strengthen the rule of law and the fight against corruption",
        "fr": "Renforcer l’état de droit et la lutte contre la corruption",
    },
    "Invest in climate adaptation in the Dry Corridor to reduce forced displacement": {
        "es": (
            "Invertir en la adaptación al cambio climático en el Corredor Seco para reducir el "
            "desplazamiento forzado"
        ),
        "fr": (
            "Investir dans l’adaptation aux changements climatiques dans le Corridor sec pour "
            "réduire les déplacements forcés"
        ),
    },
    (
        "Increase labour migration pathways from Central America by at least 50,000 in the next "
        "two years"
    ): {
        "es": (
            "Ampliar en al menos 50\u00a0000 plazas las vías de migración laboral desde "
            "Centroamérica en los próximos dos años"
        ),
        "fr": (
            "Accroître d’au moins 50\u202f000 places les filières de migration de main-d’œuvre "
            "depuis l’Amérique centrale au cours des deux prochaines années"
        ),
    },
    "Support returnees and migrants, and build public narratives on facts": {
        "es": (
            "Apoyar a las personas retornadas y a los migrantes, y construir narrativas públicas "
            "basadas en hechos"
        ),
        "fr": (
            "Soutenir les personnes de retour et les migrants, et fonder le discours public sur "
            "les faits"
        ),
    },
}

PURPOSES: dict[str, dict[str, str]] = {
    "Make protection available in the first safe country, closer to home.": {
        "es": (
            "Hacer accesible la protección en el primer país seguro, más cerca del lugar de origen."
        ),
        "fr": (
            "Rendre la protection accessible dès le premier pays sûr, plus près du lieu d’origine."
        ),
    },
    "Des engagements chiffrés et publics pour soutenir les pays qui accueillent le plus.": {
        "en": "Public, quantified pledges to support the countries that host the most.",
        "es": "Compromisos cuantificados y públicos para apoyar a los países que más acogen.",
    },
    "Apoyo sostenido a fiscalías, órganos de control y poder judicial en los países de origen.": {
        "en": (
            "Sustained support for prosecution services, oversight bodies and the judiciary in the "
            "countries of origin."
        ),
        "fr": (
            "Un soutien durable aux parquets, aux organes de contrôle et au pouvoir judiciaire "
            "dans les pays d’origine."
        ),
    },
    "Adaptation finance where drought drives people to leave.": {
        "es": (
            "Financiamiento para la adaptación allí donde la sequía obliga a las personas a "
            "marcharse."
        ),
        "fr": "Financer l’adaptation là où la sécheresse pousse les populations au départ.",
    },
    "Safe, legal and fair work routes instead of irregular journeys.": {
        "es": "Vías de trabajo seguras, legales y justas en lugar de viajes irregulares.",
        "fr": (
            "Des filières de travail sûres, légales et équitables plutôt que des parcours "
            "irréguliers."
        ),
    },
    "Reintegration, integration and accurate public debate on migration.": {
        "es": "Reintegración, integración y un debate público riguroso sobre la migración.",
        "fr": "Réintégration, intégration et un débat public rigoureux sur les migrations.",
    },
}

TRANSLATIONS: dict[str, dict[str, str]] = {
    # Headings shared by several drafts
    "# Recommendation": {
        "es": "# Recomendación",
        "fr": "# Recommandation",
    },
    "# Measures": {
        "es": "# Medidas",
        "fr": "# Mesures",
    },
    # Working group 1 — humanitarian protection (English; a comment round is open)
    (
        "The member states should double the capacity of their national asylum systems within "
        "three years, so that people in need of protection can find it in the first safe country "
        "they reach rather than only at the end of a dangerous journey."
    ): {
        "es": (
            "Los Estados miembros deberían duplicar la capacidad de sus sistemas nacionales de "
            "asilo en un plazo de tres años, de modo que las personas que necesitan protección "
            "puedan obtenerla en el primer país seguro al que lleguen, y no solo al final de un "
            "viaje peligroso."
        ),
        "fr": (
            "Les États membres devraient doubler la capacité de leurs systèmes nationaux d’asile "
            "dans un délai de trois ans, afin que les personnes ayant besoin d’une protection "
            "puissent l’obtenir dans le premier pays sûr qu’elles atteignent, et non seulement au "
            "terme d’un voyage dangereux."
        ),
    },
    (
        "Progress should be reported to the council each year, using common indicators on the "
        "number of claims, decision times and recognition rates."
    ): {
        "es": (
            "Los progresos deberían comunicarse cada año al Consejo sobre la base de indicadores "
            "comunes relativos al número de solicitudes, los plazos de resolución y las tasas de "
            "reconocimiento."
        ),
        "fr": (
            "Les progrès accomplis devraient faire l’objet d’un rapport annuel au Conseil, fondé "
            "sur des indicateurs communs relatifs au nombre de demandes, aux délais de décision et "
            "aux taux de reconnaissance."
        ),
    },
    (
        "- Fund additional eligibility officers and interpreters in the national asylum "
        "authorities of Mexico, Guatemala, Costa Rica, Panama and Belize from a pooled regional "
        "budget, with a target of deciding first-instance claims within six months."
    ): {
        "es": (
            "- Financiar, con cargo a un presupuesto regional común, oficiales de elegibilidad e "
            "intérpretes adicionales en las autoridades nacionales de asilo de México, Guatemala, "
            "Costa Rica, Panamá y Belice, con el objetivo de resolver las solicitudes en primera "
            "instancia en un plazo de seis meses."
        ),
        "fr": (
            "- Financer, au moyen d’un budget régional commun, des agents chargés de l’examen des "
            "demandes et des interprètes supplémentaires au sein des autorités nationales d’asile "
            "du Mexique, du Guatemala, du Costa Rica, du Panama et du Belize, avec pour objectif "
            "de statuer sur les demandes en première instance dans un délai de six mois."
        ),
    },
    (
        "- Establish a regional training programme on refugee status determination, drawing on the "
        "expertise of UNHCR and of the national authorities."
    ): {
        "es": (
            "- Establecer un programa regional de capacitación sobre la determinación de la "
            "condición de refugiado, que aproveche la experiencia del ACNUR y de las autoridades "
            "nacionales."
        ),
        "fr": (
            "- Mettre en place un programme régional de formation à la détermination du statut de "
            "réfugié, qui s’appuie sur l’expertise du HCR et des autorités nationales."
        ),
    },
    (
        "- Guarantee access to legal information at border crossings and in reception centres, in "
        "languages that asylum seekers understand."
    ): {
        "es": (
            "- Garantizar el acceso a información jurídica en los pasos fronterizos y en los "
            "centros de acogida, en idiomas que los solicitantes de asilo comprendan."
        ),
        "fr": (
            "- Garantir l’accès à l’information juridique aux points de passage frontaliers et "
            "dans les centres d’accueil, dans des langues que les demandeurs d’asile comprennent."
        ),
    },
    (
        "- Support community-based reception run with local authorities and faith-based and "
        "civil-society organisations, as an alternative to large closed centres."
    ): {
        "es": (
            "- Apoyar la acogida comunitaria, gestionada junto con las autoridades locales y las "
            "organizaciones confesionales y de la sociedad civil, como alternativa a los grandes "
            "centros cerrados."
        ),
        "fr": (
            "- Soutenir l’accueil de proximité, organisé avec les autorités locales et les "
            "organisations confessionnelles et de la société civile, comme solution de rechange "
            "aux grands centres fermés."
        ),
    },
    (
        "Children travelling alone must be referred to child-protection authorities within 24 "
        "hours of being identified, and must never be held in immigration detention."
    ): {
        "es": (
            "Las niñas, niños y adolescentes no acompañados deben ser remitidos a las autoridades "
            "de protección de la niñez en un plazo de 24 horas a partir de su identificación, y "
            "nunca deben ser objeto de detención migratoria."
        ),
        "fr": (
            "Les enfants non accompagnés doivent être orientés vers les autorités de protection de "
            "l’enfance dans les 24\u00a0heures suivant leur identification, et ne doivent jamais "
            "être placés en détention liée à l’immigration."
        ),
    },
    (
        "Families must not be separated at any stage of the asylum procedure. Where members of a "
        "family have reached different countries of the region, the states concerned should "
        "process their claims together."
    ): {
        "es": (
            "Las familias no deben ser separadas en ninguna etapa del procedimiento de asilo. "
            "Cuando los miembros de una familia hayan llegado a distintos países de la región, los "
            "Estados interesados deberían tramitar sus solicitudes de manera conjunta."
        ),
        "fr": (
            "Les familles ne doivent être séparées à aucun stade de la procédure d’asile. Lorsque "
            "les membres d’une même famille ont atteint différents pays de la région, les États "
            "concernés devraient examiner leurs demandes conjointement."
        ),
    },
    # Working group 2 — co-responsibility (French; one amendment accepted)
    "# Recommandation": {
        "en": "# Recommendation",
        "es": "# Recomendación",
    },
    (
        "Les États membres devraient créer un mécanisme régional de solidarité par lequel chacun "
        "s'engage, selon ses capacités, à soutenir les pays qui accueillent le plus grand nombre "
        "de personnes déplacées."
    ): {
        "en": (
            "The member states should establish a regional solidarity mechanism through which each "
            "of them undertakes, according to its capacities, to support the countries that host "
            "the largest numbers of displaced persons."
        ),
        "es": (
            "Los Estados miembros deberían crear un mecanismo regional de solidaridad mediante el "
            "cual cada uno se comprometa, según sus capacidades, a apoyar a los países que acogen "
            "al mayor número de personas desplazadas."
        ),
    },
    (
        "Le mécanisme ne remplace pas les obligations de chaque État au titre du droit "
        "international des réfugiés ; il les complète."
    ): {
        "en": (
            "The mechanism does not replace the obligations of each state under international "
            "refugee law; it complements them."
        ),
        "es": (
            "El mecanismo no sustituye las obligaciones que incumben a cada Estado en virtud del "
            "derecho internacional de los refugiados, sino que las complementa."
        ),
    },
    "# Engagements": {
        "en": "# Pledges",
        "es": "# Compromisos",
    },
    (
        "- Chaque État membre présente, lors de chaque réunion ministérielle du Conseil, des "
        "engagements chiffrés : places de réinstallation, financement des systèmes d'accueil ou "
        "expertise technique."
    ): {
        "en": (
            "- At each ministerial meeting of the council, each member state presents quantified "
            "pledges: resettlement places, funding for reception systems or technical expertise."
        ),
        "es": (
            "- En cada reunión ministerial del Consejo, cada Estado miembro presenta compromisos "
            "cuantificados: plazas de reasentamiento, financiamiento de los sistemas de acogida o "
            "conocimientos técnicos especializados."
        ),
    },
    (
        "- Les engagements sont publiés sur le site du Conseil et leur mise en œuvre fait l'objet "
        "d'un rapport annuel au Conseil, examiné en séance publique."
    ): {
        "en": (
            "- The pledges are published on the council's website, and their implementation is the "
            "subject of an annual report to the council, discussed in a public session."
        ),
        "es": (
            "- Los compromisos se publican en el sitio web del Consejo, y su cumplimiento es "
            "objeto de un informe anual al Consejo, que se examina en sesión pública."
        ),
    },
    (
        "- Les pays de transit et de destination élaborent ensemble des plans de contingence pour "
        "les mouvements massifs et soudains de population."
    ): {
        "en": (
            "- Countries of transit and destination jointly draw up contingency plans for sudden, "
            "large-scale movements of population."
        ),
        "es": (
            "- Los países de tránsito y de destino elaboran conjuntamente planes de contingencia "
            "para los movimientos de población masivos y repentinos."
        ),
    },
    (
        "Les collectivités locales qui accueillent des personnes déplacées doivent être associées "
        "à la définition des engagements et recevoir directement une part des fonds mobilisés."
    ): {
        "en": (
            "Local authorities that host displaced persons must be involved in defining the "
            "pledges and must receive a share of the funds raised directly."
        ),
        "es": (
            "Los gobiernos locales que acogen a personas desplazadas deben participar en la "
            "definición de los compromisos y recibir directamente una parte de los fondos "
            "movilizados."
        ),
    },
    # Working group 3 — rule of law and anti-corruption (Spanish)
    "# Recomendación": {
        "en": "# Recommendation",
        "fr": "# Recommandation",
    },
    (
        "La corrupción y la debilidad institucional figuran entre las causas principales por las "
        "que las personas abandonan sus comunidades: sin instituciones confiables, ninguna "
        "inversión económica ni programa social será sostenible."
    ): {
        "en": (
            "Corruption and weak institutions are among the main reasons why people leave their "
            "communities: without trustworthy institutions, no economic investment or social "
            "programme will be sustainable."
        ),
        "fr": (
            "La corruption et la faiblesse des institutions figurent parmi les principales raisons "
            "pour lesquelles les personnes quittent leurs communautés\u00a0: sans institutions "
            "dignes de confiance, aucun investissement économique ni aucun programme social ne "
            "sera durable."
        ),
    },
    (
        "Los Estados miembros deberían apoyar, con financiamiento plurianual y asistencia técnica, "
        "a las instituciones que combaten la corrupción y la impunidad en los países de origen de "
        "la migración, en particular las fiscalías, los órganos de control y el poder judicial."
    ): {
        "en": (
            "The member states should support, with multi-year funding and technical assistance, "
            "the institutions that fight corruption and impunity in the countries of origin of "
            "migration, in particular prosecution services, oversight bodies and the judiciary."
        ),
        "fr": (
            "Les États membres devraient soutenir, au moyen de financements pluriannuels et d’une "
            "assistance technique, les institutions qui luttent contre la corruption et l’impunité "
            "dans les pays d’origine des migrations, en particulier les parquets, les organes de "
            "contrôle et le pouvoir judiciaire."
        ),
    },
    "# Medidas": {
        "en": "# Measures",
        "fr": "# Mesures",
    },
    (
        "- Crear un fondo regional para la independencia judicial, con criterios públicos de "
        "asignación, auditoría independiente y evaluación externa cada dos años."
    ): {
        "en": (
            "- Create a regional fund for judicial independence, with public allocation criteria, "
            "an independent audit and an external evaluation every two years."
        ),
        "fr": (
            "- Créer un fonds régional pour l’indépendance de la justice, assorti de critères "
            "d’attribution publics, d’un audit indépendant et d’une évaluation externe tous les "
            "deux ans."
        ),
    },
    (
        "- Proteger a periodistas, defensores de derechos humanos y denunciantes que revelan actos "
        "de corrupción, incluida la posibilidad de protección internacional cuando su vida corre "
        "peligro."
    ): {
        "en": (
            "- Protect journalists, human rights defenders and whistle-blowers who expose acts of "
            "corruption, including through the possibility of international protection when their "
            "lives are in danger."
        ),
        "fr": (
            "- Protéger les journalistes, les défenseurs des droits de l’homme et les lanceurs "
            "d’alerte qui révèlent des actes de corruption, y compris par la possibilité d’une "
            "protection internationale lorsque leur vie est en danger."
        ),
    },
    (
        "- Condicionar la cooperación en materia de seguridad al respeto de los derechos humanos y "
        "a la rendición de cuentas de las fuerzas policiales."
    ): {
        "en": (
            "- Make security cooperation conditional on respect for human rights and on the "
            "accountability of police forces."
        ),
        "fr": (
            "- Subordonner la coopération en matière de sécurité au respect des droits de l’homme "
            "et à l’obligation pour les forces de police de rendre des comptes."
        ),
    },
    (
        "- Garantizar la participación de las organizaciones de la sociedad civil en el "
        "seguimiento de estas medidas, con acceso a la información pública necesaria."
    ): {
        "en": (
            "- Guarantee the participation of civil-society organisations in monitoring these "
            "measures, with access to the necessary public information."
        ),
        "fr": (
            "- Garantir la participation des organisations de la société civile au suivi de ces "
            "mesures, avec un accès aux informations publiques nécessaires."
        ),
    },
    # Working group 4 — climate adaptation and investment (English; adopted)
    (
        "The member states should mobilise at least USD 2 billion over five years for climate "
        "adaptation in the Central American Dry Corridor, where repeated drought and crop failure "
        "have become a leading cause of displacement."
    ): {
        "es": (
            "Los Estados miembros deberían movilizar al menos 2000 millones de dólares de los "
            "Estados Unidos en cinco años para la adaptación al cambio climático en el Corredor "
            "Seco Centroamericano, donde las sequías recurrentes y la pérdida de cosechas se han "
            "convertido en una de las principales causas de desplazamiento."
        ),
        "fr": (
            "Les États membres devraient mobiliser au moins 2\u00a0milliards de dollars des "
            "États-Unis sur cinq ans pour l’adaptation aux changements climatiques dans le "
            "Corridor sec centraméricain, où les sécheresses répétées et les mauvaises récoltes "
            "sont devenues l’une des principales causes de déplacement."
        ),
    },
    "# Priorities": {
        "es": "# Prioridades",
        "fr": "# Priorités",
    },
    (
        "- Small-scale irrigation and water harvesting for smallholder farmers, with priority for "
        "the municipalities with the highest rates of emigration."
    ): {
        "es": (
            "- Riego a pequeña escala y captación de agua para los pequeños productores agrícolas, "
            "con prioridad para los municipios con las tasas de emigración más altas."
        ),
        "fr": (
            "- Irrigation à petite échelle et récupération de l’eau pour les petits exploitants "
            "agricoles, en priorité dans les municipalités où les taux d’émigration sont les plus "
            "élevés."
        ),
    },
    (
        "- Parametric crop insurance that pays out automatically when rainfall falls below an "
        "agreed threshold."
    ): {
        "es": (
            "- Seguros agrícolas paramétricos que indemnicen automáticamente cuando las "
            "precipitaciones sean inferiores a un umbral acordado."
        ),
        "fr": (
            "- Assurance récolte paramétrique, avec indemnisation automatique lorsque les "
            "précipitations sont inférieures à un seuil convenu."
        ),
    },
    (
        "- Early-warning systems for drought, hurricanes and floods, shared between the national "
        "meteorological services."
    ): {
        "es": (
            "- Sistemas de alerta temprana de sequías, huracanes e inundaciones, compartidos entre "
            "los servicios meteorológicos nacionales."
        ),
        "fr": (
            "- Systèmes d’alerte précoce en cas de sécheresse, d’ouragan et d’inondation, partagés "
            "entre les services météorologiques nationaux."
        ),
    },
    (
        "Public funds should be used to attract private investment in climate-resilient "
        "agriculture and local value chains, through guarantees and blended finance, so that young "
        "people have a reason and a means to stay."
    ): {
        "es": (
            "Los fondos públicos deberían utilizarse para atraer inversión privada hacia una "
            "agricultura resiliente al clima y hacia las cadenas de valor locales, mediante "
            "garantías y financiamiento combinado, de modo que los jóvenes tengan motivos y medios "
            "para quedarse."
        ),
        "fr": (
            "Les fonds publics devraient servir à attirer l’investissement privé dans une "
            "agriculture résiliente face aux changements climatiques et dans les chaînes de valeur "
            "locales, au moyen de garanties et de financements mixtes, afin que les jeunes aient "
            "une raison et les moyens de rester."
        ),
    },
    (
        "Where adaptation in place is no longer possible, planned relocation and regular migration "
        "should be recognised as forms of adaptation, and decided with the communities concerned "
        "and their local authorities."
    ): {
        "es": (
            "Cuando la adaptación en el propio lugar ya no sea posible, la reubicación planificada "
            "y la migración regular deberían reconocerse como formas de adaptación y decidirse con "
            "las comunidades afectadas y sus autoridades locales."
        ),
        "fr": (
            "Lorsque l’adaptation sur place n’est plus possible, la relocalisation planifiée et la "
            "migration régulière devraient être reconnues comme des formes d’adaptation et "
            "décidées avec les communautés concernées et leurs autorités locales."
        ),
    },
    # Working group 5 — labour pathways (English; a decision round is open)
    (
        "The member states should increase labour migration pathways from El Salvador, Guatemala "
        "and Honduras by at least 50,000 places in the next two years, in sectors with documented "
        "labour shortages, with a fair share for women and for rural areas."
    ): {
        "es": (
            "Los Estados miembros deberían ampliar en al menos 50\u00a0000 plazas, en los próximos "
            "dos años, las vías de migración laboral desde El Salvador, Guatemala y Honduras, en "
            "sectores con escasez documentada de mano de obra, con una proporción equitativa para "
            "las mujeres y para las zonas rurales."
        ),
        "fr": (
            "Les États membres devraient accroître d’au moins 50\u202f000 places, au cours des "
            "deux prochaines années, les filières de migration de main-d’œuvre en provenance d’El "
            "Salvador, du Guatemala et du Honduras, dans les secteurs où des pénuries de "
            "main-d’œuvre sont attestées, en réservant une part équitable aux femmes et aux zones "
            "rurales."
        ),
    },
    (
        "Every worker in these programmes has the same labour rights as national workers, "
        "including access to complaint mechanisms without fear of losing their visa."
    ): {
        "es": (
            "Todo trabajador de estos programas goza de los mismos derechos laborales que los "
            "trabajadores nacionales, incluido el acceso a mecanismos de denuncia sin temor a "
            "perder su visa."
        ),
        "fr": (
            "Tout travailleur participant à ces programmes jouit des mêmes droits en matière de "
            "travail que les travailleurs nationaux, y compris l’accès à des mécanismes de plainte "
            "sans crainte de perdre son visa."
        ),
    },
    (
        "Workers must never pay recruitment fees. Employers bear the cost of recruitment, and "
        "recruiters who charge workers are excluded from the programmes."
    ): {
        "es": (
            "Los trabajadores nunca deben pagar comisiones de contratación. Los empleadores asumen "
            "el costo de la contratación, y los reclutadores que cobren a los trabajadores quedan "
            "excluidos de los programas."
        ),
        "fr": (
            "Les travailleurs ne doivent jamais payer de frais de recrutement. Les employeurs "
            "prennent en charge le coût du recrutement, et les recruteurs qui font payer les "
            "travailleurs sont exclus des programmes."
        ),
    },
    "# How": {
        "es": "# Modalidades",
        "fr": "# Modalités",
    },
    (
        "- Expand seasonal and temporary programmes in agriculture, construction, care work and "
        "hospitality, with multi-year visas that allow workers to return year after year."
    ): {
        "es": (
            "- Ampliar los programas de trabajo temporal y de temporada en la agricultura, la "
            "construcción, los cuidados y la hotelería, con visas plurianuales que permitan a los "
            "trabajadores regresar año tras año."
        ),
        "fr": (
            "- Élargir les programmes de travail saisonnier et temporaire dans l’agriculture, la "
            "construction, les soins à la personne et l’hôtellerie, avec des visas pluriannuels "
            "permettant aux travailleurs de revenir d’une année sur l’autre."
        ),
    },
    "- Allow workers to change employer within the same sector without losing their status.": {
        "es": (
            "- Permitir que los trabajadores cambien de empleador dentro del mismo sector sin "
            "perder su condición migratoria."
        ),
        "fr": (
            "- Permettre aux travailleurs de changer d’employeur au sein d’un même secteur sans "
            "perdre leur statut."
        ),
    },
    (
        "- Create a regional job-matching service run jointly by the public employment services of "
        "the countries of origin and destination."
    ): {
        "es": (
            "- Crear un servicio regional de intermediación laboral gestionado conjuntamente por "
            "los servicios públicos de empleo de los países de origen y de destino."
        ),
        "fr": (
            "- Créer un service régional de mise en relation de l’offre et de la demande d’emploi, "
            "géré conjointement par les services publics de l’emploi des pays d’origine et de "
            "destination."
        ),
    },
    (
        "The council reviews the number of places and the conditions of work every year, with "
        "employers, trade unions and migrant organisations."
    ): {
        "es": (
            "El Consejo examina cada año el número de plazas y las condiciones de trabajo con los "
            "empleadores, los sindicatos y las organizaciones de migrantes."
        ),
        "fr": (
            "Le Conseil examine chaque année le nombre de places et les conditions de travail avec "
            "les employeurs, les syndicats et les organisations de migrants."
        ),
    },
    # Working group 6 — integration and narratives (English; adopted)
    (
        "The member states should support the economic and social reintegration of returnees and "
        "the integration of migrants in host communities, and promote public narratives on "
        "migration that rest on facts."
    ): {
        "es": (
            "Los Estados miembros deberían apoyar la reintegración económica y social de las "
            "personas retornadas y la integración de los migrantes en las comunidades de acogida, "
            "y promover narrativas públicas sobre la migración basadas en hechos."
        ),
        "fr": (
            "Les États membres devraient soutenir la réintégration économique et sociale des "
            "personnes de retour et l’intégration des migrants dans les communautés d’accueil, et "
            "promouvoir un discours public sur les migrations fondé sur les faits."
        ),
    },
    (
        "- Reception services for returnees at airports and border posts, with access to identity "
        "documents, health care and job placement within the first month."
    ): {
        "es": (
            "- Servicios de acogida para las personas retornadas en aeropuertos y puestos "
            "fronterizos, con acceso a documentos de identidad, atención de salud e inserción "
            "laboral durante el primer mes."
        ),
        "fr": (
            "- Services d’accueil des personnes de retour dans les aéroports et aux postes "
            "frontières, avec accès aux pièces d’identité, aux soins de santé et au placement "
            "professionnel au cours du premier mois."
        ),
    },
    (
        "- Mutual recognition of skills, diplomas and qualifications acquired abroad, so that "
        "returnees and migrants can work in their trade without starting again."
    ): {
        "es": (
            "- Reconocimiento mutuo de las competencias, los títulos y las calificaciones "
            "adquiridos en el extranjero, para que las personas retornadas y los migrantes puedan "
            "ejercer su oficio sin tener que empezar de nuevo."
        ),
        "fr": (
            "- Reconnaissance mutuelle des compétences, des diplômes et des qualifications acquis "
            "à l’étranger, afin que les personnes de retour et les migrants puissent exercer leur "
            "métier sans devoir repartir de zéro."
        ),
    },
    (
        "- Training for journalists and public officials on reporting about migration, developed "
        "with migrant-led organisations."
    ): {
        "es": (
            "- Capacitación de periodistas y funcionarios públicos sobre el tratamiento "
            "informativo de la migración, elaborada con organizaciones dirigidas por migrantes."
        ),
        "fr": (
            "- Formation des journalistes et des agents publics au traitement de l’information sur "
            "les migrations, élaborée avec des organisations dirigées par des migrants."
        ),
    },
    (
        "Member states should publish comparable data on migration, return and integration every "
        "year, so that public debate can rest on the same facts across the region."
    ): {
        "es": (
            "Los Estados miembros deberían publicar cada año datos comparables sobre migración, "
            "retorno e integración, para que el debate público pueda basarse en los mismos hechos "
            "en toda la región."
        ),
        "fr": (
            "Les États membres devraient publier chaque année des données comparables sur les "
            "migrations, les retours et l’intégration, afin que le débat public puisse s’appuyer "
            "sur les mêmes faits dans toute la région."
        ),
    },
    (
        "Migrants and returnees speak for themselves: campaigns about migration should be designed "
        "with them, not only about them."
    ): {
        "es": (
            "Los migrantes y las personas retornadas hablan por sí mismos: las campañas sobre la "
            "migración deberían diseñarse con ellos, y no solo sobre ellos."
        ),
        "fr": (
            "Les migrants et les personnes de retour s’expriment en leur propre nom\u00a0: les "
            "campagnes sur les migrations devraient être conçues avec eux, et pas seulement à leur "
            "sujet."
        ),
    },
}

# Earlier texts of working group 1's draft, changed since: a version paragraph translated
# from one of them is outdated (its source changed), as the demo shows on purpose.
EARLIER: dict[str, dict[str, str]] = {
    (
        "- Fund additional eligibility officers and interpreters in the national asylum "
        "authorities of Mexico, Guatemala, Costa Rica and Panama, with a regional target of "
        "deciding first-instance claims within six months."
    ): {
        "es": (
            "- Financiar oficiales de elegibilidad e intérpretes adicionales en las autoridades "
            "nacionales de asilo de México, Guatemala, Costa Rica y Panamá, con el objetivo "
            "regional de resolver las solicitudes en primera instancia en un plazo de seis meses."
        ),
        "fr": (
            "- Financer des agents chargés de l’examen des demandes et des interprètes "
            "supplémentaires au sein des autorités nationales d’asile du Mexique, du Guatemala, du "
            "Costa Rica et du Panama, avec pour objectif régional de statuer sur les demandes en "
            "première instance dans un délai de six mois."
        ),
    },
    (
        "Children travelling alone should be referred promptly to child-protection authorities and "
        "should not be held in immigration detention."
    ): {
        "es": (
            "Las niñas, niños y adolescentes no acompañados deberían ser remitidos sin demora a "
            "las autoridades de protección de la niñez y no deberían ser objeto de detención "
            "migratoria."
        ),
        "fr": (
            "Les enfants non accompagnés devraient être orientés sans délai vers les autorités de "
            "protection de l’enfance et ne devraient pas être placés en détention liée à "
            "l’immigration."
        ),
    },
}
