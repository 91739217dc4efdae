//! Containers, Kubernetes and infrastructure as code.

use super::{RuleInfo, first_positional, has_flag};
use crate::engine::{Engine, Invocation};
use crate::verdict::Severity;

macro_rules! rule {
    ($name:ident, $id:literal, $pack:literal, $sev:ident, $summary:literal, $alt:literal, $block:literal, $allow:literal) => {
        pub(crate) const $name: RuleInfo = RuleInfo {
            id: $id,
            pack: $pack,
            severity: Severity::$sev,
            summary: $summary,
            alternative: $alt,
            block_example: $block,
            allow_example: $allow,
            always_enforced: false,
        };
    };
}

rule!(
    CONTAINER_PRUNE,
    "container:prune",
    "containers",
    Deny,
    "`prune` deletes every stopped container, unused image, network or volume at once",
    "remove the named containers or images you created",
    "docker system prune -af",
    "docker ps -a"
);
rule!(
    CONTAINER_VOLUME,
    "container:volume-rm",
    "containers",
    Deny,
    "removing volumes deletes the data stored in them",
    "keep volumes; `docker compose down` without `-v`",
    "docker volume rm pgdata",
    "docker volume ls"
);
rule!(
    CONTAINER_MASS_RM,
    "container:rm-all",
    "containers",
    Deny,
    "force-removing containers chosen by a substitution removes every container it lists",
    "remove named containers",
    "docker rm -f $(docker ps -aq)",
    "docker rm my-test-container"
);
rule!(
    K8S_DELETE,
    "k8s:delete-broad",
    "kubernetes",
    Deny,
    "deleting a namespace, all resources, or across namespaces removes workloads and their data",
    "delete the one named resource, with `--dry-run=client` first",
    "kubectl delete namespace staging",
    "kubectl delete pod web-7f9c --dry-run=client"
);
rule!(
    K8S_DRAIN,
    "k8s:drain",
    "kubernetes",
    Deny,
    "draining or cordoning a node evicts its workloads",
    "ask the cluster owner",
    "kubectl drain node-1",
    "kubectl get nodes"
);
rule!(
    HELM_UNINSTALL,
    "k8s:helm-uninstall",
    "kubernetes",
    Deny,
    "`helm uninstall` deletes a release and its resources",
    "`helm status` / `helm rollback` after review",
    "helm uninstall api",
    "helm status api"
);
rule!(
    IAC_DESTROY,
    "iac:destroy",
    "iac",
    Deny,
    "`destroy` tears down every resource of the stack",
    "`terraform plan -destroy` to review; ask the user to run the destroy",
    "terraform destroy",
    "terraform plan"
);
rule!(
    IAC_AUTO_APPROVE,
    "iac:auto-approve",
    "iac",
    Deny,
    "applying infrastructure changes without review (`-auto-approve`, `--yes`)",
    "`terraform plan`, then an interactive `terraform apply` the user confirms",
    "terraform apply -auto-approve",
    "terraform apply"
);
rule!(
    IAC_STATE,
    "iac:state-surgery",
    "iac",
    Deny,
    "editing infrastructure state (`state rm`, `force-unlock`, `taint`) can orphan or recreate resources",
    "ask the user",
    "terraform state rm aws_s3_bucket.logs",
    "terraform state list"
);

pub(crate) static RULES: &[&RuleInfo] = &[
    &CONTAINER_PRUNE,
    &CONTAINER_VOLUME,
    &CONTAINER_MASS_RM,
    &K8S_DELETE,
    &K8S_DRAIN,
    &HELM_UNINSTALL,
    &IAC_DESTROY,
    &IAC_AUTO_APPROVE,
    &IAC_STATE,
];

fn positionals(inv: &Invocation) -> Vec<&str> {
    inv.args()
        .iter()
        .filter(|w| !w.text.starts_with('-'))
        .map(|w| w.text.as_str())
        .collect()
}

/// `kubectl`'s words that are not options or option values.
fn kubectl_positionals(inv: &Invocation) -> Vec<&str> {
    const WITH_VALUE: &[&str] = &[
        "-n",
        "--namespace",
        "--context",
        "--cluster",
        "--kubeconfig",
        "--user",
        "-s",
        "--server",
        "--token",
        "--as",
        "--as-group",
        "--certificate-authority",
        "--client-certificate",
        "--client-key",
        "--request-timeout",
        "--cache-dir",
        "--tls-server-name",
        "-l",
        "--selector",
        "--field-selector",
        "-o",
        "--output",
        "-c",
        "--container",
        "-f",
        "--filename",
        "-k",
        "--kustomize",
        "--grace-period",
        "--timeout",
        "-v",
        "--v",
    ];
    super::writes::operands_skipping(inv.args(), WITH_VALUE)
        .into_iter()
        .map(|w| w.text.as_str())
        .collect()
}

pub(crate) fn containers(e: &mut Engine, inv: &Invocation, name: &str) {
    let mut pos = positionals(inv);
    // `docker-compose down -v` is `docker compose down -v`.
    if name == "docker-compose" {
        pos.insert(0, "compose");
    }
    let args = inv.args();
    let (a, b) = (pos.first().copied(), pos.get(1).copied());
    if pos.contains(&"prune") {
        e.hit(&CONTAINER_PRUNE, inv, None);
        return;
    }
    if (a == Some("volume") && matches!(b, Some("rm" | "remove")))
        || (a == Some("compose")
            && pos.contains(&"down")
            && (has_flag(args, 'v', &["volumes"])
                || inv.args().iter().any(|w| w.text.starts_with("--rmi"))))
    {
        e.hit(&CONTAINER_VOLUME, inv, None);
        return;
    }
    if (matches!(a, Some("rm" | "rmi"))
        || (a == Some("container") && b == Some("rm"))
        || (a == Some("image") && b == Some("rm")))
        && args.iter().any(|w| w.dynamic)
    {
        e.hit(&CONTAINER_MASS_RM, inv, None);
    }
    if matches!(a, Some("stop" | "kill")) && args.iter().any(|w| w.dynamic) {
        e.hit(
            &CONTAINER_MASS_RM,
            inv,
            Some(
                "stopping containers chosen by a substitution stops every container it lists"
                    .to_owned(),
            ),
        );
    }
}

pub(crate) fn kubernetes(e: &mut Engine, inv: &Invocation, name: &str) {
    let args = inv.args();
    let pos = positionals(inv);
    let dry = args
        .iter()
        .any(|w| w.text.starts_with("--dry-run") && w.text != "--dry-run=none");
    if dry {
        return;
    }
    if name == "helm" {
        if matches!(pos.first(), Some(&("uninstall" | "delete" | "del" | "un"))) {
            e.hit(&HELM_UNINSTALL, inv, None);
        }
        return;
    }
    // Global options with a value may stand before the verb (`kubectl --context prod delete
    // ns x`, `kubectl -n app delete …`): their values are not the verb.
    let pos = kubectl_positionals(inv);
    match pos.first() {
        Some(&"delete") => {
            let kind = pos.get(1).copied().unwrap_or("");
            let broad = matches!(
                kind,
                "namespace"
                    | "namespaces"
                    | "ns"
                    | "node"
                    | "nodes"
                    | "pv"
                    | "persistentvolume"
                    | "persistentvolumes"
                    | "pvc"
                    | "persistentvolumeclaim"
                    | "persistentvolumeclaims"
                    | "crd"
                    | "customresourcedefinition"
                    | "crds"
            ) || kind.starts_with("namespace/")
                || args
                    .iter()
                    .any(|w| matches!(w.text.as_str(), "--all" | "-A" | "--all-namespaces"))
                // A selector deletes whatever matches; pods alone are recreated by their
                // controllers, which is how test pods are cleaned up.
                || (!matches!(kind, "pod" | "pods" | "po")
                    && args
                        .iter()
                        .any(|w| w.text == "-l" || w.text.starts_with("--selector")))
                || args.iter().any(|w| {
                    w.text == "-f"
                        || w.text == "-k"
                        || w.text.starts_with("--filename")
                        || w.text.starts_with("--kustomize")
                })
                || (args.iter().any(|w| w.text == "--force")
                    && args
                        .iter()
                        .any(|w| w.text == "--grace-period=0" || w.text == "--now"));
            if broad {
                e.hit(&K8S_DELETE, inv, None);
            }
        }
        Some(&("drain" | "cordon")) => e.hit(&K8S_DRAIN, inv, None),
        Some(&"scale") if args.iter().any(|w| w.text == "--replicas=0") => {
            e.hit(
                &K8S_DRAIN,
                inv,
                Some("scaling to zero replicas stops the workload".to_owned()),
            );
        }
        _ => {}
    }
}

pub(crate) fn iac(e: &mut Engine, inv: &Invocation, name: &str) {
    let args = inv.args();
    let Some((_, sub)) = first_positional(args) else {
        return;
    };
    let pos = positionals(inv);
    let auto = args.iter().any(|w| {
        matches!(
            w.text.as_str(),
            "-auto-approve"
                | "--auto-approve"
                | "-auto-approve=true"
                | "--yes"
                | "-y"
                | "--non-interactive"
        )
    });
    match (name, sub) {
        (_, "destroy") => e.hit(&IAC_DESTROY, inv, None),
        ("pulumi", "stack") if pos.get(1) == Some(&"rm") => e.hit(&IAC_DESTROY, inv, None),
        (_, "apply" | "up" | "update") if auto => e.hit(&IAC_AUTO_APPROVE, inv, None),
        (_, "apply") if args.iter().any(|w| w.text == "-destroy") => e.hit(&IAC_DESTROY, inv, None),
        (_, "state")
            if matches!(
                pos.get(1),
                Some(&("rm" | "mv" | "delete" | "push" | "replace-provider"))
            ) =>
        {
            e.hit(&IAC_STATE, inv, None);
        }
        (_, "force-unlock" | "taint") => e.hit(&IAC_STATE, inv, None),
        _ => {}
    }
}
