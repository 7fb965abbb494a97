//! OpenAPI links from each creating operation to the operations on what it created, so clients
//! (and stateful fuzzers such as schemathesis) can follow `POST /app` to `GET /app/{app_id}`.
//!
//! Derived from the paths: a `POST` on `P` links, from each of its success responses, to every
//! operation on a path below `P/{param}`. `{param}` comes from the response body (`#/name` for a
//! `{name}` parameter, `#/id` otherwise); the parameters of `P` itself come from the request.

use serde_json::{Map, Value, json};

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head"];

fn params_of(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
        .collect()
}

/// utoipa 5 writes the links declared in `#[utoipa::path]` responses with `operation_id` and
/// `operation_ref`; OpenAPI spells them `operationId` and `operationRef`.
fn fix_declared_links(paths: &mut Value) {
    let Some(items) = paths.as_object_mut() else {
        return;
    };
    for item in items.values_mut() {
        for method in METHODS {
            let Some(responses) = item
                .get_mut(*method)
                .and_then(|op| op.get_mut("responses"))
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            for response in responses.values_mut() {
                let Some(links) = response.get_mut("links").and_then(Value::as_object_mut) else {
                    continue;
                };
                for link in links.values_mut().filter_map(Value::as_object_mut) {
                    for (from, to) in [
                        ("operation_id", "operationId"),
                        ("operation_ref", "operationRef"),
                    ] {
                        if let Some(value) = link.remove(from) {
                            link.insert(to.to_owned(), value);
                        }
                    }
                }
            }
        }
    }
}

/// Adds `links` to the success responses of every creating operation in `paths`.
pub fn add(paths: &mut Value) {
    fix_declared_links(paths);
    let Some(map) = paths.as_object() else {
        return;
    };
    let snapshot: Vec<(String, Value)> = map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let mut additions: Vec<(String, Map<String, Value>)> = Vec::new();
    for (path, item) in &snapshot {
        if item.get("post").is_none() {
            continue;
        }
        let prefix = format!("{path}/{{");
        let own = params_of(path);
        let mut links = Map::new();
        for (target, target_item) in &snapshot {
            let Some(rest) = target.strip_prefix(&prefix) else {
                continue;
            };
            let Some(new_param) = rest.split('}').next() else {
                continue;
            };
            let target_params = params_of(target);
            // Only targets reachable from the request and the created resource.
            if target_params
                .iter()
                .any(|p| *p != new_param && !own.contains(p))
            {
                continue;
            }
            for method in METHODS {
                let Some(op) = target_item.get(*method) else {
                    continue;
                };
                let Some(op_id) = op["operationId"].as_str() else {
                    continue;
                };
                let mut parameters = Map::new();
                for param in &target_params {
                    let source = if *param == new_param {
                        let field = if *param == "name" { "name" } else { "id" };
                        format!("$response.body#/{field}")
                    } else {
                        format!("$request.path.{param}")
                    };
                    parameters.insert((*param).to_owned(), Value::String(source));
                }
                links.insert(
                    op_id.replace('.', "_"),
                    json!({ "operationId": op_id, "parameters": parameters }),
                );
            }
        }
        if !links.is_empty() {
            additions.push((path.clone(), links));
        }
    }
    for (path, links) in additions {
        let Some(responses) = paths[&path]["post"]["responses"].as_object_mut() else {
            continue;
        };
        for (code, response) in responses.iter_mut() {
            if code.starts_with('2') && response.get("$ref").is_none() {
                response["links"] = Value::Object(links.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_creating_post_links_to_the_operations_on_what_it_created() {
        let mut paths = json!({
            "/app": { "post": { "operationId": "create", "responses": { "201": { "description": "made" } } } },
            "/app/{app_id}": { "get": { "operationId": "get", "responses": {} } },
            "/app/{app_id}/msg/{msg_id}": { "get": { "operationId": "msg", "responses": {} } },
            "/event-type": { "post": { "operationId": "et", "responses": { "201": { "description": "made" } } } },
            "/event-type/{name}": { "get": { "operationId": "et.get", "responses": {} } },
        });
        add(&mut paths);
        let links = &paths["/app"]["post"]["responses"]["201"]["links"];
        assert_eq!(links["get"]["parameters"]["app_id"], "$response.body#/id");
        assert!(
            links.get("msg").is_none(),
            "msg_id cannot come from the response"
        );
        let et = &paths["/event-type"]["post"]["responses"]["201"]["links"];
        assert_eq!(et["et_get"]["parameters"]["name"], "$response.body#/name");
    }

    #[test]
    fn declared_links_are_spelled_as_openapi_spells_them() {
        let mut paths = json!({
            "/replay": { "post": { "operationId": "replay", "responses": { "202": {
                "description": "started",
                "links": { "task": { "operation_id": "task.get", "parameters": { "task_id": "$response.body#/id" } } }
            } } } },
        });
        add(&mut paths);
        let link = &paths["/replay"]["post"]["responses"]["202"]["links"]["task"];
        assert_eq!(link["operationId"], "task.get");
        assert!(link.get("operation_id").is_none());
        assert_eq!(link["parameters"]["task_id"], "$response.body#/id");
    }
}
