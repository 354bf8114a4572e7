use super::*;

fn offered(id: &str, name: &str, role: &str) -> Offered {
    Offered {
        account_id: id.into(),
        account_name: name.into(),
        role: role.into(),
    }
}

fn req(prune: bool) -> Request<'static> {
    Request {
        session: "corp",
        template: DEFAULT_TEMPLATE,
        region: "eu-west-1",
        prune,
        newline: "\n",
    }
}

const USER: &str =
    "[default]\nregion = us-east-1\n\n[profile mine]\nrole_arn = arn:aws:iam::1:role/R\n";

#[test]
fn a_block_is_appended_then_made_again_byte_for_byte() {
    let all = [
        offered("111111111111", "Acme Prod", "Admin"),
        offered("111111111111", "Acme Prod", "ReadOnly"),
        offered("222222222222", "acme dev", "Admin"),
    ];
    let first = populate(&req(false), &all, &[], &HashSet::new());
    assert_eq!(first.added.len(), 3);
    let file = splice(USER, "corp", &first.text, "\n");
    assert!(file.starts_with(USER), "nothing outside the block changes");
    assert!(file.contains("[profile Acme-Prod-Admin]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\nregion = eu-west-1\nxrole_account_name = Acme Prod\n"), "{file}");
    // Again, from the file: nothing changes.
    let range = find_block(&file, "corp").unwrap();
    let current = read_block(&file[range]);
    assert_eq!(current.len(), 3);
    let again = populate(&req(false), &all, &current, &HashSet::new());
    assert_eq!(
        (again.added.len(), again.removed.len(), again.kept),
        (0, 0, 3)
    );
    assert_eq!(splice(&file, "corp", &again.text, "\n"), file);
}

#[test]
fn names_are_cleaned_and_never_taken_from_someone_else() {
    let taken: HashSet<String> = ["Acme-Prod-Admin".to_owned()].into();
    let all = [
        offered("111111111111", "Acme Prod", "Admin"),
        offered("333333333333", "Acme/Prod", "Admin"),
        offered("444444444444", "  ]]  ", "x"),
        offered("555555555555", "evil", "a\n[profile default]"),
        offered("6666", "short", "R"),
    ];
    let p = populate(&req(false), &all, &[], &taken);
    let names: Vec<&str> = p.added.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Acme-Prod-Admin-111111111111",
            "Acme-Prod-Admin-333333333333",
            "x"
        ],
        "{p:?}"
    );
    assert_eq!(p.skipped.len(), 2, "{p:?}");
    assert!(!p.text.contains("[profile default]"));
}

#[test]
fn gone_assignments_stay_unless_pruned() {
    let both = [
        offered("111111111111", "a", "Admin"),
        offered("222222222222", "b", "Admin"),
    ];
    let text = populate(&req(false), &both, &[], &HashSet::new()).text;
    let current = read_block(&text);
    let one = [offered("111111111111", "a", "Admin")];
    let kept = populate(&req(false), &one, &current, &HashSet::new());
    assert_eq!(kept.stale.len(), 1);
    assert!(kept.text.contains("[profile b-Admin]"));
    let pruned = populate(&req(true), &one, &current, &HashSet::new());
    assert_eq!(pruned.removed.len(), 1);
    assert_eq!(pruned.removed[0].name, "b-Admin");
    assert!(!pruned.text.contains("b-Admin"));
    // Nothing left: the block goes, markers and all.
    let none = populate(&req(true), &[], &current, &HashSet::new());
    assert!(none.text.is_empty());
    let file = splice(USER, "corp", &text, "\n");
    assert_eq!(splice(&file, "corp", "", "\n"), USER);
}

#[test]
fn two_instances_keep_their_own_blocks() {
    let a = populate(
        &req(false),
        &[offered("111111111111", "a", "R")],
        &[],
        &HashSet::new(),
    )
    .text;
    let other = Request {
        session: "other",
        ..req(false)
    };
    let b = populate(
        &other,
        &[offered("222222222222", "b", "R")],
        &[],
        &HashSet::new(),
    )
    .text;
    let file = splice(&splice(USER, "corp", &a, "\n"), "other", &b, "\n");
    let again = splice(&file, "corp", &a, "\n");
    assert_eq!(again, file);
    assert_eq!(
        read_block(&file[find_block(&file, "other").unwrap()]).len(),
        1
    );
    assert_eq!(
        read_block(&file[find_block(&file, "corp").unwrap()]).len(),
        1
    );
}

#[test]
fn a_file_without_a_final_newline_keeps_its_bytes() {
    let text = populate(
        &req(false),
        &[offered("111111111111", "a", "R")],
        &[],
        &HashSet::new(),
    )
    .text;
    let file = splice("[default]\nregion = x", "corp", &text, "\n");
    assert!(file.starts_with("[default]\nregion = x\n# >>>"), "{file}");
}

#[test]
fn templates_are_checked() {
    assert!(check_template(DEFAULT_TEMPLATE).is_ok());
    assert!(check_template("{session}.{account_id}.{role}").is_ok());
    assert!(check_template("{acount}-{role}")
        .unwrap_err()
        .contains("unknown placeholder"));
    assert!(check_template("{account_name}")
        .unwrap_err()
        .contains("{role}"));
}
