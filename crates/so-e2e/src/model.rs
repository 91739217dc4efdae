//! Scripted fake models: an Anthropic Messages API for Claude Code and an `OpenAI` Responses
//! API for Codex, each answering from a [`Script`] and recording every request.
//!
//! The script is a list of shell commands, then other tool calls (Claude Code's `Write`,
//! Codex's freeform `apply_patch`). On each model call the server counts the tool results the client has sent back
//! so far (only for the call ids it issued itself); while steps remain it asks for the next
//! one as a tool call, then it ends the turn with
//! [`Script::final_text`]. The recorded requests let a test read exactly what the client told
//! the model about each tool call, e.g. a hook's deny reason.

use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Value, json};

use crate::http::{Request, Response, Server};

/// Prefix of the Anthropic `tool_use` ids the fake model issues.
const ANTHROPIC_ID_PREFIX: &str = "toolu_fake_";
/// Prefix of the `OpenAI` `call_id`s the fake model issues.
const OPENAI_ID_PREFIX: &str = "call_fake_";

/// What the fake model will ask for, in order.
#[derive(Clone, Debug)]
pub struct Script {
    /// Shell commands, one tool call each.
    pub commands: Vec<String>,
    /// Other tool calls, asked for after the commands, each only when the client offers a
    /// tool of that name. For `OpenAI` a string input makes a freeform `custom_tool_call`
    /// (Codex's `apply_patch`), any other input a `function_call` with it as arguments.
    pub tool_calls: Vec<ToolCall>,
    /// The assistant text that ends the turn.
    pub final_text: String,
}

/// A tool call other than a shell command, e.g. Claude Code's `Write`.
#[derive(Clone, Debug)]
pub struct ToolCall {
    /// The tool name the client offers (`Write`, `Edit`, ...).
    pub name: String,
    /// The tool input, e.g. `{"file_path": ..., "content": ...}` for `Write`.
    pub input: Value,
}

impl Script {
    /// One shell command, then "done".
    pub fn one(command: impl Into<String>) -> Self {
        Self {
            commands: vec![command.into()],
            tool_calls: Vec::new(),
            final_text: "done".to_owned(),
        }
    }

    /// One call of the tool `name` with `input`, then "done".
    pub fn tool(name: impl Into<String>, input: Value) -> Self {
        Self {
            commands: Vec::new(),
            tool_calls: vec![ToolCall {
                name: name.into(),
                input,
            }],
            final_text: "done".to_owned(),
        }
    }
}

/// How the Anthropic fake answers beyond its script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Behaviour {
    /// `input_tokens` of every answer's usage (default 10).
    pub input_tokens: u64,
    /// `output_tokens` of every answer's usage (default 5).
    pub output_tokens: u64,
    /// Wait this long before answering a `POST /v1/messages` (default none): a model that
    /// hangs, for stall and abort tests.
    pub delay: std::time::Duration,
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            input_tokens: 10,
            output_tokens: 5,
            delay: std::time::Duration::ZERO,
        }
    }
}

/// One request the client made, body parsed as JSON (`Null` when it was not JSON).
#[derive(Clone, Debug)]
pub struct Recorded {
    /// HTTP method.
    pub method: String,
    /// Request target.
    pub target: String,
    /// The JSON body.
    pub body: Value,
}

/// What the client sent back for one tool call the fake model made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolReply {
    /// The call id the fake model issued.
    pub id: String,
    /// The text the model got back (tool output, or the hook's block message).
    pub text: String,
    /// Anthropic's `is_error` flag (always false for `OpenAI`).
    pub is_error: bool,
}

/// Which wire protocol a fake model speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    /// Anthropic Messages (`POST /v1/messages`), for Claude Code.
    Anthropic,
    /// `OpenAI` Responses (`POST /v1/responses`), for Codex.
    OpenAi,
}

/// A running fake model.
pub struct FakeModel {
    api: Api,
    server: Server,
    log: Arc<Mutex<Vec<Recorded>>>,
}

impl FakeModel {
    /// Starts a fake model speaking `api` on `127.0.0.1:0`.
    pub fn start(api: Api, script: Script) -> std::io::Result<Self> {
        Self::start_with(api, script, Behaviour::default())
    }

    /// [`FakeModel::start`] with the usage it reports and a delay before its answers
    /// (Anthropic only; the `OpenAI` fake ignores `behaviour`).
    pub fn start_with(api: Api, script: Script, behaviour: Behaviour) -> std::io::Result<Self> {
        let log: Arc<Mutex<Vec<Recorded>>> = Arc::default();
        let sink = Arc::clone(&log);
        let server = Server::start(Arc::new(move |request: &Request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
            sink.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(Recorded {
                    method: request.method.clone(),
                    target: request.target.clone(),
                    body: body.clone(),
                });
            match api {
                Api::Anthropic => {
                    if request.path() == "/v1/messages" && !behaviour.delay.is_zero() {
                        std::thread::sleep(behaviour.delay);
                    }
                    anthropic_with(request, &body, &script, &behaviour)
                }
                Api::OpenAi => openai(request, &body, &script),
            }
        }))?;
        Ok(Self { api, server, log })
    }

    /// `http://127.0.0.1:PORT` (no path).
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The model calls so far (`POST /v1/messages` or `POST /v1/responses`).
    pub fn model_calls(&self) -> Vec<Recorded> {
        let path = match self.api {
            Api::Anthropic => "/v1/messages",
            Api::OpenAi => "/v1/responses",
        };
        self.requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.target.split('?').next() == Some(path))
            .collect()
    }

    /// What the client reported back for the fake model's tool calls, read from the last
    /// model call (each call carries the whole conversation).
    pub fn tool_replies(&self) -> Vec<ToolReply> {
        self.model_calls()
            .last()
            .map(|call| tool_replies(self.api, &call.body))
            .unwrap_or_default()
    }

    /// The one tool reply the client sent back. Panics, with the exchange and the client's
    /// `output`, when there is not exactly one: the test's premise did not hold.
    pub fn only_tool_reply(&self, output: &crate::process::Output) -> ToolReply {
        let replies = self.tool_replies();
        match <[ToolReply; 1]>::try_from(replies) {
            Ok([reply]) => reply,
            Err(replies) => panic!(
                "expected one tool reply, got {}; {}\n{}",
                replies.len(),
                self.summary(),
                output.describe()
            ),
        }
    }

    /// A short account of the requests, for failure messages.
    pub fn summary(&self) -> String {
        let calls: Vec<String> = self
            .requests()
            .iter()
            .map(|r| format!("{} {}", r.method, r.target))
            .collect();
        format!(
            "{} request(s): [{}]; tool replies: {:?}",
            calls.len(),
            calls.join(", "),
            self.tool_replies()
        )
    }
}

/// The tool replies in one request body.
pub fn tool_replies(api: Api, body: &Value) -> Vec<ToolReply> {
    let mut out = Vec::new();
    match api {
        Api::Anthropic => {
            for message in body["messages"].as_array().into_iter().flatten() {
                for block in message["content"].as_array().into_iter().flatten() {
                    let id = block["tool_use_id"].as_str().unwrap_or_default();
                    if block["type"] == "tool_result" && id.starts_with(ANTHROPIC_ID_PREFIX) {
                        out.push(ToolReply {
                            id: id.to_owned(),
                            text: content_text(&block["content"]),
                            is_error: block["is_error"].as_bool().unwrap_or(false),
                        });
                    }
                }
            }
        }
        Api::OpenAi => {
            for item in body["input"].as_array().into_iter().flatten() {
                let id = item["call_id"].as_str().unwrap_or_default();
                let kind = item["type"].as_str().unwrap_or_default();
                if matches!(kind, "function_call_output" | "custom_tool_call_output")
                    && id.starts_with(OPENAI_ID_PREFIX)
                {
                    out.push(ToolReply {
                        id: id.to_owned(),
                        text: content_text(&item["output"]),
                        is_error: false,
                    });
                }
            }
        }
    }
    out
}

/// A string, or the concatenated `text` of an array of content parts.
fn content_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p["text"].as_str().or_else(|| p["content"].as_str()))
            .collect::<Vec<_>>()
            .join("\n"),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Splits `s` in two at a char boundary near the middle (a streamed JSON argument arrives
/// in pieces, as from a real model).
fn halves(s: &str) -> (&str, &str) {
    let mut mid = s.len() / 2;
    while !s.is_char_boundary(mid) {
        mid += 1;
    }
    s.split_at(mid)
}

// ---------------------------------------------------------------------------------------
// Anthropic Messages
// ---------------------------------------------------------------------------------------

/// The tool call (name, input) the Anthropic fake asks for after `done` replies: the next
/// command as `Bash`, then the next [`ToolCall`]; `None` when the script is through or the
/// client does not offer that tool.
fn anthropic_step<'a>(body: &Value, script: &'a Script, done: usize) -> Option<(&'a str, Value)> {
    let offers = |name: &str| {
        body["tools"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|t| t["name"] == name)
    };
    match script.commands.get(done) {
        Some(command) => Some((
            "Bash",
            json!({"command": command, "description": "Run the requested command"}),
        )),
        None => script
            .tool_calls
            .get(done - script.commands.len())
            .map(|call| (call.name.as_str(), call.input.clone())),
    }
    .filter(|(name, _)| offers(name))
}

/// The default behaviour's answer (the unit tests below call it directly).
#[cfg(test)]
fn anthropic(request: &Request, body: &Value, script: &Script) -> Response {
    anthropic_with(request, body, script, &Behaviour::default())
}

fn anthropic_with(
    request: &Request,
    body: &Value,
    script: &Script,
    behaviour: &Behaviour,
) -> Response {
    match (request.method.as_str(), request.path()) {
        ("POST", "/v1/messages") => {}
        ("POST", "/v1/messages/count_tokens") => {
            return Response::json(200, &json!({"input_tokens": 42}));
        }
        ("GET" | "HEAD", _) => return Response::json(200, &json!({})),
        _ => {
            return Response::json(
                404,
                &json!({"type": "error", "error": {"type": "not_found_error", "message": "unknown endpoint"}}),
            );
        }
    }
    let done = tool_replies(Api::Anthropic, body).len();
    let model = body["model"].as_str().unwrap_or("claude-fake");
    let step = anthropic_step(body, script, done);
    let (block, stop_reason) = match &step {
        Some((name, input)) => (
            json!({"type": "tool_use", "id": format!("{ANTHROPIC_ID_PREFIX}{done}"), "name": name,
                   "input": input}),
            "tool_use",
        ),
        None => (
            json!({"type": "text", "text": script.final_text}),
            "end_turn",
        ),
    };
    let usage = json!({"input_tokens": behaviour.input_tokens, "output_tokens": behaviour.output_tokens,
                       "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0});
    if body["stream"] != true {
        return Response::json(
            200,
            &json!({"id": format!("msg_fake_{done}"), "type": "message", "role": "assistant",
                    "model": model, "content": [block], "stop_reason": stop_reason,
                    "stop_sequence": null, "usage": usage}),
        );
    }
    let mut events = vec![
        (
            "message_start",
            json!({"type": "message_start", "message": {"id": format!("msg_fake_{done}"),
                "type": "message", "role": "assistant", "model": model, "content": [],
                "stop_reason": null, "stop_sequence": null, "usage": usage}}),
        ),
        ("ping", json!({"type": "ping"})),
    ];
    if step.is_some() {
        // The input arrives as JSON text in pieces, as from a real model.
        let input = block["input"].to_string();
        let (a, b) = halves(&input);
        let mut start = block.clone();
        start["input"] = json!({});
        events.push((
            "content_block_start",
            json!({"type": "content_block_start", "index": 0, "content_block": start}),
        ));
        for piece in [a, b] {
            events.push((
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 0,
                       "delta": {"type": "input_json_delta", "partial_json": piece}}),
            ));
        }
    } else {
        events.push((
            "content_block_start",
            json!({"type": "content_block_start", "index": 0,
                   "content_block": {"type": "text", "text": ""}}),
        ));
        events.push((
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0,
                   "delta": {"type": "text_delta", "text": script.final_text}}),
        ));
    }
    events.push((
        "content_block_stop",
        json!({"type": "content_block_stop", "index": 0}),
    ));
    events.push((
        "message_delta",
        json!({"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": null},
               "usage": {"output_tokens": behaviour.output_tokens}}),
    ));
    events.push(("message_stop", json!({"type": "message_stop"})));
    Response::sse(&events)
}

// ---------------------------------------------------------------------------------------
// `OpenAI` Responses
// ---------------------------------------------------------------------------------------

fn openai(request: &Request, body: &Value, script: &Script) -> Response {
    match (request.method.as_str(), request.path()) {
        ("POST", "/v1/responses") => {}
        ("GET", "/v1/models") => {
            return Response::json(200, &json!({"object": "list", "data": []}));
        }
        ("GET" | "HEAD", _) => return Response::json(200, &json!({})),
        _ => {
            return Response::json(
                404,
                &json!({"error": {"message": "unknown endpoint", "type": "invalid_request_error"}}),
            );
        }
    }
    let done = tool_replies(Api::OpenAi, body).len();
    let tools: Vec<&str> = body["tools"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["name"].as_str())
        .collect();
    let model = body["model"].as_str().unwrap_or("fake-model");
    let response_id = format!("resp_fake_{done}");
    let call_id = format!("{OPENAI_ID_PREFIX}{done}");
    let item = match openai_step(&tools, script, done) {
        Some((name, Value::String(input))) => json!({"type": "custom_tool_call",
            "id": format!("ctc_fake_{done}"), "call_id": call_id, "name": name,
            "input": input, "status": "completed"}),
        Some((name, arguments)) => json!({"type": "function_call", "id": format!("fc_fake_{done}"),
            "call_id": call_id, "name": name, "arguments": arguments.to_string(),
            "status": "completed"}),
        None => json!({"type": "message", "id": format!("msg_fake_{done}"), "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": script.final_text, "annotations": []}]}),
    };
    let mut added = item.clone();
    added["status"] = json!("in_progress");
    match item["type"].as_str() {
        Some("function_call") => added["arguments"] = json!(""),
        Some("custom_tool_call") => added["input"] = json!(""),
        _ => added["content"] = json!([]),
    }
    let response = |status: &str, output: Value| {
        json!({"id": response_id, "object": "response", "created_at": 0, "status": status,
               "model": model, "output": output})
    };
    let mut events = vec![
        (
            "response.created",
            json!({"type": "response.created", "response": response("in_progress", json!([]))}),
        ),
        (
            "response.in_progress",
            json!({"type": "response.in_progress", "response": response("in_progress", json!([]))}),
        ),
        (
            "response.output_item.added",
            json!({"type": "response.output_item.added", "output_index": 0, "item": added}),
        ),
    ];
    events.extend(openai_deltas(&item, &script.final_text));
    events.push((
        "response.output_item.done",
        json!({"type": "response.output_item.done", "output_index": 0, "item": item}),
    ));
    let mut completed = response("completed", json!([item]));
    completed["usage"] = json!({"input_tokens": 10, "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 5, "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 15});
    events.push((
        "response.completed",
        json!({"type": "response.completed", "response": completed}),
    ));
    Response::sse(&events)
}

/// The streamed pieces of `item` between `output_item.added` and `output_item.done`.
fn openai_deltas(item: &Value, final_text: &str) -> Vec<(&'static str, Value)> {
    let mut out = Vec::new();
    if item["type"] == "custom_tool_call" {
        let input = item["input"].as_str().unwrap_or_default();
        let (a, b) = halves(input);
        for piece in [a, b] {
            out.push((
                "response.custom_tool_call_input.delta",
                json!({"type": "response.custom_tool_call_input.delta", "output_index": 0,
                       "item_id": item["id"], "delta": piece}),
            ));
        }
    } else if item["type"] == "function_call" {
        let arguments = item["arguments"].as_str().unwrap_or_default();
        let (a, b) = halves(arguments);
        for piece in [a, b] {
            out.push((
                "response.function_call_arguments.delta",
                json!({"type": "response.function_call_arguments.delta", "output_index": 0,
                       "item_id": item["id"], "delta": piece}),
            ));
        }
        out.push((
            "response.function_call_arguments.done",
            json!({"type": "response.function_call_arguments.done", "output_index": 0,
                   "item_id": item["id"], "arguments": arguments}),
        ));
    } else {
        out.push((
            "response.output_text.delta",
            json!({"type": "response.output_text.delta", "output_index": 0, "content_index": 0,
                   "item_id": item["id"], "delta": final_text}),
        ));
        out.push((
            "response.output_text.done",
            json!({"type": "response.output_text.done", "output_index": 0, "content_index": 0,
                   "item_id": item["id"], "text": final_text}),
        ));
    }
    out
}

/// The tool call (name, input) the `OpenAI` fake asks for after `done` replies: the next
/// command with the offered shell tool, then the next [`ToolCall`]; `None` when the script is
/// through or the client does not offer that tool.
fn openai_step<'a>(tools: &[&str], script: &'a Script, done: usize) -> Option<(&'a str, Value)> {
    match script.commands.get(done) {
        Some(command) => shell_call(tools, command),
        None => script
            .tool_calls
            .get(done - script.commands.len())
            .filter(|call| tools.contains(&call.name.as_str()))
            .map(|call| (call.name.as_str(), call.input.clone())),
    }
}

/// The function call that runs `command` with whichever shell tool the client offers.
fn shell_call(tools: &[&str], command: &str) -> Option<(&'static str, Value)> {
    if tools.contains(&"exec_command") {
        Some(("exec_command", json!({"cmd": command})))
    } else if tools.contains(&"shell_command") {
        Some(("shell_command", json!({"command": command})))
    } else if tools.contains(&"shell") {
        Some(("shell", json!({"command": ["bash", "-lc", command]})))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn post(path: &str, body: &Value) -> Request {
        Request {
            method: "POST".into(),
            target: path.into(),
            headers: Vec::new(),
            body: body.to_string().into_bytes(),
        }
    }

    fn sse_data(response: &Response) -> Vec<Value> {
        String::from_utf8(response.body.clone())
            .unwrap()
            .lines()
            .filter_map(|l| l.strip_prefix("data: "))
            .map(|d| serde_json::from_str(d).unwrap())
            .collect()
    }

    #[test]
    fn anthropic_asks_for_the_command_then_ends_the_turn() {
        let script = Script::one("rm -rf ~/x");
        let first = json!({"stream": true, "tools": [{"name": "Bash"}],
                           "messages": [{"role": "user", "content": "do it"}]});
        let events = sse_data(&anthropic(
            &post("/v1/messages?beta=true", &first),
            &first,
            &script,
        ));
        let json: String = events
            .iter()
            .filter_map(|e| e["delta"]["partial_json"].as_str())
            .collect();
        assert_eq!(
            serde_json::from_str::<Value>(&json).unwrap()["command"],
            "rm -rf ~/x"
        );
        assert_eq!(events.last().unwrap()["type"], "message_stop");

        let second = json!({"stream": true, "tools": [{"name": "Bash"}], "messages": [
            {"role": "user", "content": "do it"},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_fake_0",
              "content": "PreToolUse:Bash hook error: no", "is_error": true}]}]});
        let events = sse_data(&anthropic(&post("/v1/messages", &second), &second, &script));
        assert!(events.iter().any(|e| e["delta"]["text"] == "done"));
        assert_eq!(
            tool_replies(Api::Anthropic, &second),
            vec![ToolReply {
                id: "toolu_fake_0".into(),
                text: "PreToolUse:Bash hook error: no".into(),
                is_error: true
            }]
        );
    }

    #[test]
    fn anthropic_asks_for_a_scripted_tool_only_when_offered() {
        let script = Script::tool("Write", json!({"file_path": "/p/x", "content": "y"}));
        let offered = json!({"stream": true, "tools": [{"name": "Bash"}, {"name": "Write"}],
                             "messages": [{"role": "user", "content": "do it"}]});
        let events = sse_data(&anthropic(
            &post("/v1/messages", &offered),
            &offered,
            &script,
        ));
        let start = events
            .iter()
            .find(|e| e["type"] == "content_block_start")
            .unwrap();
        assert_eq!(start["content_block"]["name"], "Write");
        let json: String = events
            .iter()
            .filter_map(|e| e["delta"]["partial_json"].as_str())
            .collect();
        assert_eq!(
            serde_json::from_str::<Value>(&json).unwrap(),
            json!({"file_path": "/p/x", "content": "y"})
        );

        let not_offered = json!({"stream": true, "tools": [{"name": "Bash"}],
                                 "messages": [{"role": "user", "content": "do it"}]});
        let events = sse_data(&anthropic(
            &post("/v1/messages", &not_offered),
            &not_offered,
            &script,
        ));
        assert!(events.iter().any(|e| e["delta"]["text"] == "done"));
    }

    #[test]
    fn openai_uses_the_offered_shell_tool() {
        let script = Script::one("touch x");
        let first = json!({"tools": [{"name": "exec_command"}], "input": []});
        let events = sse_data(&openai(&post("/v1/responses", &first), &first, &script));
        let done = events
            .iter()
            .find(|e| e["type"] == "response.output_item.done")
            .unwrap();
        assert_eq!(done["item"]["name"], "exec_command");
        assert_eq!(done["item"]["arguments"], r#"{"cmd":"touch x"}"#);

        let second = json!({"tools": [{"name": "exec_command"}], "input": [
            {"type": "function_call_output", "call_id": "call_fake_0", "output": "blocked"}]});
        let events = sse_data(&openai(&post("/v1/responses", &second), &second, &script));
        let done = events
            .iter()
            .find(|e| e["type"] == "response.output_item.done")
            .unwrap();
        assert_eq!(done["item"]["content"][0]["text"], "done");
    }

    #[test]
    fn openai_asks_for_a_freeform_tool_as_a_custom_tool_call() {
        let patch = "*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch\n";
        let script = Script::tool("apply_patch", json!(patch));
        let first = json!({"tools": [{"name": "exec_command"},
                                     {"type": "custom", "name": "apply_patch"}], "input": []});
        let events = sse_data(&openai(&post("/v1/responses", &first), &first, &script));
        let input: String = events
            .iter()
            .filter(|e| e["type"] == "response.custom_tool_call_input.delta")
            .filter_map(|e| e["delta"].as_str())
            .collect();
        assert_eq!(input, patch);
        let done = events
            .iter()
            .find(|e| e["type"] == "response.output_item.done")
            .unwrap();
        assert_eq!(done["item"]["type"], "custom_tool_call");
        assert_eq!(done["item"]["name"], "apply_patch");
        assert_eq!(done["item"]["input"], patch);
        assert_eq!(done["item"]["call_id"], "call_fake_0");

        let second = json!({"tools": [{"type": "custom", "name": "apply_patch"}], "input": [
            {"type": "custom_tool_call_output", "call_id": "call_fake_0", "output": "no"}]});
        let events = sse_data(&openai(&post("/v1/responses", &second), &second, &script));
        assert!(events.iter().any(|e| e["delta"] == "done"));

        let not_offered = json!({"tools": [{"name": "exec_command"}], "input": []});
        let events = sse_data(&openai(
            &post("/v1/responses", &not_offered),
            &not_offered,
            &script,
        ));
        assert!(events.iter().any(|e| e["delta"] == "done"));
    }
}
