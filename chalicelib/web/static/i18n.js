// Lithuanian (default) and English texts of the pages. The language choice is not personal data,
// so it may live in localStorage; tokens never do.
const TEXTS = {
  lt: {
    skip: "Pereiti prie turinio", brand: "Mokinių registras", loading: "Įkeliama…", help: "Pagalba",
    switchTo: "Switch to English", menu: "Pagrindinis meniu",
    intro1: "Mokinių registras saugo, kuriose mokyklose mokėtės ir ką pasiekėte: egzaminus, olimpiadas, pasiekimus, išsilavinimo dokumentus.",
    intro2: "Jūsų duomenis čia pateikia mokyklos; juos matote tik jūs, jūsų globėjai ir teisę turinčios įstaigos.",
    noRegistration: "Registracija nereikalinga: prisijunkite per Elektroninius valdžios vartus (el. bankininkyste, mobiliuoju parašu, asmens tapatybės kortele…).",
    login: "Prisijungti", logout: "Atsijungti",
    meansDown: "Jei kuri nors prisijungimo priemonė neveikia, pasirinkite kitą arba bandykite vėliau; jei nepavyksta ilgiau, skambinkite ar rašykite pagalbos tarnybai.",
    myHistory: "Mano mokymosi istorija", journal: "Kas žiūrėjo mano duomenis", school: "Mokykla", ministry: "Ministerija",
    childHistory: "Vaiko istorija",
    emptyHistory: "Įrašų kol kas nėra. Istorija būna tuščia, kai mokyklos dar nepateikė duomenų arba kai mokėtės tik užsienyje; kreipkitės į savo mokyklą.",
    more: "Rodyti daugiau", period: "Laikotarpis", klass: "Klasė", programme: "Programa", form: "Mokymosi forma",
    grade: "Įvertinimas", score: "Balai", level: "Lygis", place: "Vieta", teacher: "Mokytojas", date: "Data",
    document: "Dokumentas", issued: "Išduotas", notes: "Pastabos", institution: "Įstaiga",
    now: "dabar", journalEmpty: "Niekas kitas jūsų duomenų nežiūrėjo ir jie nebuvo keisti.",
    READ: "Peržiūrėjo", CREATE: "Pateikė įrašą", UPDATE: "Pakeitė įrašą", ANNUL: "Anuliavo įrašą", EXPORT: "Įtraukė į sąrašą",
    TRANSFER: "Perdavė į Diplomų registrą (DAKPR)", dakpr: "DAKPR registracijos Nr.",
    shares: "Dalintis ir įrodyti", createLink: "Sukurti nuorodą", yourLinks: "Mano nuorodos", link: "Nuoroda",
    shareHelp: "Pasirinkite įrašus ir galiojimo datą (ne ilgiau kaip metai). Kas turi nuorodą, mato tik šiuos įrašus, be asmens kodo; kiekvienas peržiūrėjimas matomas jūsų žurnale.",
    chooseRecords: "Pasirinkite, kuriais įrašais dalintis", expiresOn: "Galioja iki", linkCreated: "Nuoroda sukurta. Nusiųskite ją tam, kam norite parodyti įrašus.",
    copy: "Kopijuoti", views: "Peržiūrų", recordsShared: "Įrašų", revoked: "Atšaukta", revokeLink: "Atšaukti nuorodą",
    noLinks: "Nuorodų nėra.", transcript: "Pasirašytas išrašas",
    transcriptHelp: "Visa jūsų mokymosi istorija, pasirašyta registro raktu: bet kas gali patikrinti, kad ji nepakeista ir tebegalioja. Joje – jūsų vardas, pavardė ir gimimo data; asmens kodas – tik jei pažymėsite.",
    includeCode: "Įtraukti mano asmens kodą",
    downloadTranscript: "Atsisiųsti išrašą", verify: "Patikrinti išrašą", check: "Tikrinti",
    verifyHelp: "Įklijuokite gautą mokymosi istorijos išrašą: patikrinsime, ar jį pasirašė registras, ar niekas nepakeista ir ar jo įrašai nuo išdavimo nebuvo anuliuoti ar pakeisti.",
    pasteTranscript: "Išrašas", transcriptValid: "Išrašas tikras: pasirašė Mokinių registras, niekas nepakeista.",
    transcriptInvalid: "Išrašas netikras arba pakeistas.", holder: "Asmuo", born: "Gimimo data", issued: "Išduotas",
    transcriptWithdrawn: "Išrašas nebegalioja: po jo išdavimo šie įrašai buvo anuliuoti arba pakeisti.",
    change_annulled: "anuliuotas", change_changed: "pakeistas",
    sharedTitle: "Bendrinami įrašai", validUntil: "Nuoroda galioja iki", linkInvalid: "Nuoroda negalioja: ji atšaukta, pasibaigusi arba neteisinga.",
    purpose: "Tikslas", who: "Kas", when: "Kada", what: "Veiksmas",
    role_guardian: "Globėjas", role_representative: "Įstaigos atstovas", role_ministry: "Ministerija",
    role_share_link: "Pagal jūsų nuorodą", role_system: "Registras (automatiškai)",
    upload: "Įkelti failą", uploadHelp: "CSV arba XLSX failas pagal šabloną (iki 100 MB). Galite nutempti failą čia.",
    chooseFile: "Failas", dryRun: "Tik patikrinti (nieko neįrašyti)", send: "Įkelti", templates: "Šablonai",
    status: "Būsena", rowsRead: "Perskaityta eilučių", rowsWritten: "Įrašyta", rowsRejected: "Atmesta",
    line: "Eilutė", column: "Stulpelis", error: "Klaida", reportJson: "Ataskaita (JSON)", reportCsv: "Ataskaita (CSV, Excel)",
    pupilHistory: "Mokinio istorija", checkCode: "Patikrinkite asmens kodą: 11 skaitmenų arba registro suteiktas MR-… numeris.",
    purposeNeeded: "Įrašykite, kokiu tikslu žiūrite duomenis.",
    learnerList: "Besimokančių sąrašas", format: "Formatas", downloadList: "Atsisiųsti sąrašą", listSaved: "Sąrašas atsisiųstas.",
    learnerListHelp: "Dabartiniai mokiniai dabartinio registro stulpeliais. Kiekvieno mokinio žurnale bus matyti, kad jis įtrauktas į sąrašą, ir jūsų nurodytas tikslas.",
    badLinkTitle: "Netinkama nuoroda", badLink: "Nuoroda netinkama, todėl nieko neieškota.",
    notYourChild: "Tokio vaiko jūsų vaikų sąraše nėra.",
    findPupil: "Rasti mokinį", personalCode: "Asmens kodas", find: "Ieškoti", edit: "Taisyti", save: "Išsaugoti",
    cancel: "Atšaukti", saved: "Išsaugota.", conflict: "Įrašą ką tik pakeitė kitas naudotojas; perkraukite ir pakartokite.",
    institutions: "Įstaigos", permits: "Leidimai", representatives: "Atstovai", revoke: "Atšaukti leidimą",
    grant: "Suteikti leidimą", from: "Nuo", to: "Iki", scopeRead: "Skaityti", scopeWrite: "Rašyti",
    addRepresentative: "Paskirti atstovą", remove: "Pašalinti", noAccess: "Neturite teisės tai matyti.",
    notFound: "Nerasta.", failed: "Nepavyko. Bandykite dar kartą.", choose: "Pasirinkite",
    state_ACTIVE: "galioja", state_REVOKED: "atšauktas", state_SUSPENDED: "sustabdytas",
    ENROLLMENT: "Lankytos mokyklos", SUBJECT: "Pasirenkamieji dalykai", EXAM: "Egzaminai", OLYMPIAD: "Olimpiados",
    ACHIEVEMENT: "Kiti pasiekimai", QUALIFICATION: "Išsilavinimo ir kvalifikacijos dokumentai",
    status_PENDING: "laukiama failo", status_PROCESSING: "apdorojama", status_DONE: "baigta",
    status_REJECTED: "failas atmestas", status_FAILED: "nepavyko, bus bandoma dar kartą",
    SCHOOL: "mokyklos", MUNICIPAL: "savivaldybės", NATIONAL: "šalies", INTERNATIONAL: "tarptautinis",
    MATURITY_CERTIFICATE: "Brandos atestatas", BASIC_EDUCATION_CERTIFICATE: "Pagrindinio išsilavinimo pažymėjimas",
    QUALIFICATION_CERTIFICATE: "Kvalifikacijos pažymėjimas", VOCATIONAL_DIPLOMA: "Profesinio mokymo diplomas",
    LEARNING_ACHIEVEMENT_CERTIFICATE: "Mokymosi pasiekimų pažymėjimas",
  },
  en: {
    skip: "Skip to content", brand: "Student Register", loading: "Loading…", help: "Help",
    switchTo: "Perjungti į lietuvių kalbą", menu: "Main menu",
    intro1: "The Student Register keeps which schools you attended and what you achieved there: exams, olympiads, achievements, diplomas and certificates.",
    intro2: "Schools submit your data here; only you, your guardians and authorised institutions can see it.",
    noRegistration: "No registration needed: log in through the e-government gateway (online banking, mobile signature, ID card…).",
    login: "Log in", logout: "Log out",
    meansDown: "If a means of login is not working, choose another or try later; if it keeps failing, call or write to support.",
    myHistory: "My learning history", journal: "Who looked at my data", school: "School", ministry: "Ministry",
    childHistory: "Child's history",
    emptyHistory: "No records yet. A history is empty when schools have not submitted data yet, or if you studied only abroad; ask your school.",
    more: "Show more", period: "Period", klass: "Class", programme: "Programme", form: "Form of learning",
    grade: "Grade", score: "Score", level: "Level", place: "Place", teacher: "Teacher", date: "Date",
    document: "Document", issued: "Issued", notes: "Notes", institution: "Institution",
    now: "now", journalEmpty: "Nobody else has looked at your data and nothing was changed.",
    READ: "Viewed", CREATE: "Submitted a record", UPDATE: "Changed a record", ANNUL: "Annulled a record", EXPORT: "Listed you",
    TRANSFER: "Passed to the diploma register (DAKPR)", dakpr: "DAKPR registration no.",
    shares: "Share and prove", createLink: "Create a link", yourLinks: "My links", link: "Link",
    shareHelp: "Choose records and an expiry date (at most a year). Whoever holds the link sees only these records, without your personal code; every view is in your journal.",
    chooseRecords: "Choose the records to share", expiresOn: "Valid until", linkCreated: "Link created. Send it to whoever should see the records.",
    copy: "Copy", views: "Views", recordsShared: "Records", revoked: "Revoked", revokeLink: "Revoke link",
    noLinks: "No links.", transcript: "Signed transcript",
    transcriptHelp: "Your whole learning history, signed with the register's key: anyone can check it is unchanged and still valid. It names you by name and birth date; your personal code only if you tick the box.",
    includeCode: "Include my personal code",
    downloadTranscript: "Download transcript", verify: "Check a transcript", check: "Check",
    verifyHelp: "Paste a learning-history transcript you received: we check that the register signed it, nothing was changed, and none of its records was annulled or changed since it was issued.",
    pasteTranscript: "Transcript", transcriptValid: "Genuine: signed by the Student Register, nothing changed.",
    transcriptInvalid: "Not genuine, or changed.", holder: "Person", born: "Date of birth", issued: "Issued",
    transcriptWithdrawn: "No longer valid: since it was issued, these records were annulled or changed.",
    change_annulled: "annulled", change_changed: "changed",
    sharedTitle: "Shared records", validUntil: "Link valid until", linkInvalid: "This link is not valid: revoked, expired or wrong.",
    purpose: "Purpose", who: "Who", when: "When", what: "Action",
    role_guardian: "Guardian", role_representative: "Institution representative", role_ministry: "Ministry",
    role_share_link: "Through your share link", role_system: "The register (automatically)",
    upload: "Upload a file", uploadHelp: "A CSV or XLSX file following the template (up to 100 MB). You can drop the file here.",
    chooseFile: "File", dryRun: "Check only (write nothing)", send: "Upload", templates: "Templates",
    status: "Status", rowsRead: "Rows read", rowsWritten: "Written", rowsRejected: "Rejected",
    line: "Line", column: "Column", error: "Error", reportJson: "Report (JSON)", reportCsv: "Report (CSV, Excel)",
    pupilHistory: "Pupil's history", checkCode: "Check the personal code: 11 digits, or an MR-… number the register issued.",
    purposeNeeded: "Type the purpose for which you are looking at the data.",
    learnerList: "List of learners", format: "Format", downloadList: "Download the list", listSaved: "List downloaded.",
    learnerListHelp: "Current pupils, in the current register's columns. Each pupil's journal will show that they were listed, with the purpose you give.",
    badLinkTitle: "Link not valid", badLink: "This link is not valid, so nothing was looked up.",
    notYourChild: "No such child among your children.",
    findPupil: "Find a pupil", personalCode: "Personal code", find: "Search", edit: "Correct", save: "Save",
    cancel: "Cancel", saved: "Saved.", conflict: "Someone else has just changed this record; reload and try again.",
    institutions: "Institutions", permits: "Permits", representatives: "Representatives", revoke: "Revoke permit",
    grant: "Grant a permit", from: "From", to: "To", scopeRead: "Read", scopeWrite: "Write",
    addRepresentative: "Appoint a representative", remove: "Remove", noAccess: "You may not see this.",
    notFound: "Not found.", failed: "That did not work. Please try again.", choose: "Choose",
    state_ACTIVE: "valid", state_REVOKED: "revoked", state_SUSPENDED: "suspended",
    ENROLLMENT: "Institutions attended", SUBJECT: "Elective subjects", EXAM: "Exams", OLYMPIAD: "Olympiads",
    ACHIEVEMENT: "Other achievements", QUALIFICATION: "Diplomas and certificates",
    status_PENDING: "waiting for the file", status_PROCESSING: "processing", status_DONE: "done",
    status_REJECTED: "file refused", status_FAILED: "failed, will be retried",
    SCHOOL: "school", MUNICIPAL: "municipal", NATIONAL: "national", INTERNATIONAL: "international",
    MATURITY_CERTIFICATE: "Maturity certificate", BASIC_EDUCATION_CERTIFICATE: "Basic education certificate",
    QUALIFICATION_CERTIFICATE: "Qualification certificate", VOCATIONAL_DIPLOMA: "Vocational diploma",
    LEARNING_ACHIEVEMENT_CERTIFICATE: "Learning achievement certificate",
  },
};

let language = localStorage.getItem("mr-language") === "en" ? "en" : "lt";

export function t(key) {
  return TEXTS[language][key] ?? TEXTS.lt[key] ?? key;
}

export function currentLanguage() {
  return language;
}

export function setLanguage(next) {
  language = next === "en" ? "en" : "lt";
  localStorage.setItem("mr-language", language);
  document.documentElement.lang = language;
  document.title = t("brand");
  for (const element of document.querySelectorAll("[data-t]")) element.textContent = t(element.dataset.t);
  const other = document.getElementById("language");
  other.textContent = language === "lt" ? "EN" : "LT";
  other.lang = language === "lt" ? "en" : "lt";
  // The accessible name starts with the visible text (EN / LT), as speech input expects.
  other.setAttribute("aria-label", `${other.textContent} — ${t("switchTo")}`);
  document.getElementById("nav").setAttribute("aria-label", t("menu"));
}
