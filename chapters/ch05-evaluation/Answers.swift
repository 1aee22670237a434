// The instructions chapter 02 held out, answered by each model: does it write an answer at all — non-empty Korean
// text that ends with the end-of-text token — and do the answers differ from prompt to prompt? A model that answers
// every prompt with the same words has learned the format, not the task.
import Book
import Plumbing
import Repro

/// A held-out instruction, as text: the model's own tokenizer turns it into ids, so any model can be asked.
struct HeldOutInstruction {
    var record: Int
    var instruction: InstructionRecord
}

/// One model's answer to one held-out instruction.
struct AnswerOutcome {
    var record: Int
    var promptTokens: Int
    var answer: String
    var reference: String
    var newTokens: Int
    var stop: Generated.Stop

    var hasHangul: Bool { answer.unicodeScalars.contains { (0xAC00...0xD7A3).contains($0.value) } }
    /// Korean text that the model ended itself: what an instruction-following model writes.
    var isAnswer: Bool { stop == .endOfText && hasHangul }
}

extension AnswerOutcome: JSONRecord {
    var json: JSON {
        .object(JSONObject([("record", .number(Double(record))), ("prompt_tokens", .number(Double(promptTokens))),
                            ("answer", .string(answer)), ("reference", .string(reference)),
                            ("new_tokens", .number(Double(newTokens))), ("stop", .string(stop.rawValue))]))
    }

    init(json: JSON) throws(RecordProblem) {
        guard let stop = Generated.Stop(rawValue: try json.string("stop")) else { throw RecordProblem("unknown stop") }
        self.init(record: try json.int("record"), promptTokens: try json.int("prompt_tokens"), answer: try json.string("answer"),
                  reference: try json.string("reference"), newTokens: try json.int("new_tokens"), stop: stop)
    }
}

/// Chapter 02's validation records, as text (chapter 01's records at chapter 02's held-out indices), when both
/// chapters have run in this `--out`.
func heldOutInstructions(_ run: ChapterRun) throws -> [HeldOutInstruction] {
    guard run.hasFinished(.dataRepair) && run.hasFinished(.prompting) else { return [] }
    let records = try run.read(Artifacts.repairedRecords).records
    return try run.read(Artifacts.validationExamples).records.map { example in
        guard records.indices.contains(example.record) else {
            throw RecordError(file: Artifacts.validationExamples.path, problem: "record \(example.record) is not in chapter 01's records")
        }
        return HeldOutInstruction(record: example.record, instruction: records[example.record])
    }
}

/// Greedy answers to every held-out instruction, in the model's training template.
func answer(_ instructions: [HeldOutInstruction], decoder: Decoder, tokenizer: BPETokenizer, template: PromptTemplate,
            maxNewTokens: Int) throws -> [AnswerOutcome] {
    try instructions.map { item in
        let r = item.instruction
        let ids = tokenizer.encode(template.promptForGeneration(instruction: r.instruction, input: r.input))
        let room = max(1, min(maxNewTokens, decoder.context - ids.count))
        let prompt = Array(ids.suffix(decoder.context - room))
        let generated = try decoder.generate(prompt: prompt, maxNewTokens: room, stopTokens: [tokenizer.endOfText])
        return AnswerOutcome(record: item.record, promptTokens: prompt.count,
                             answer: tokenizer.decode(generated.tokens).trimmingCharacters(in: .whitespacesAndNewlines),
                             reference: r.output, newTokens: generated.tokens.count, stop: generated.stop)
    }
}

/// How one model answered: how many real answers, how many distinct among them, and the most repeated one.
struct AnswerSummary {
    var prompts: Int
    var nonEmptyKorean: Int
    var endedAtEndOfText: Int
    var answers: Int
    var distinctAnswers: Int
    var meanNewTokens: Double
    var mostCommon: (answer: String, count: Int)?

    init(_ outcomes: [AnswerOutcome]) {
        prompts = outcomes.count
        nonEmptyKorean = outcomes.filter(\.hasHangul).count
        endedAtEndOfText = outcomes.filter { $0.stop == .endOfText }.count
        let real = outcomes.filter(\.isAnswer).map(\.answer)
        answers = real.count
        distinctAnswers = Set(real).count
        meanNewTokens = Double(outcomes.reduce(0) { $0 + $1.newTokens }) / Double(max(outcomes.count, 1))
        var counts: [String: Int] = [:]
        for a in outcomes.map(\.answer) { counts[a, default: 0] += 1 }
        mostCommon = counts.max { ($0.value, $1.key) < ($1.value, $0.key) }.map { ($0.key, $0.value) }
    }
}
