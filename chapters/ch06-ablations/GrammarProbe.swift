import Foundation
import Repro
import Tensor
import Plumbing

// MARK: - What the models answer to grammar corrections (the repair ablation)

/// A correction task and the answer a careful human would give.
struct CorrectionPrompt {
    var source: String              // "record 123 (repaired)" or "held out"
    var instruction: String
    var input: String
    var expected: String
    var record: Int? = nil          // the record's index in chapter 01's repaired.jsonl, for a repaired record
}

enum GrammarProbe {
    /// Six correction prompts of our own, not in KoAlpaca: each sentence carries one of the typical mistakes chapter
    /// 01's repairs put back (a particle after a final consonant, spacing before a dependent noun or an auxiliary, a
    /// common misspelling), so a model that learned the repaired records has seen each kind.
    static let heldOut: [CorrectionPrompt] = [
        CorrectionPrompt(source: "held out", instruction: "다음 문장의 문법 오류를 고치세요.", input: "저는 사과을 좋아합니다.",
                         expected: "저는 사과를 좋아합니다."),
        CorrectionPrompt(source: "held out", instruction: "다음 문장에서 띄어쓰기를 바르게 고치세요.", input: "나는 내일 학교에 갈수 없다.",
                         expected: "나는 내일 학교에 갈 수 없다."),
        CorrectionPrompt(source: "held out", instruction: "다음 문장을 맞춤법에 맞게 교정하세요.", input: "몇일 동안 비가 계속 내렸다.",
                         expected: "며칠 동안 비가 계속 내렸다."),
        CorrectionPrompt(source: "held out", instruction: "다음 문장의 오류를 수정하세요.", input: "그는 지금 책을 읽고있다.",
                         expected: "그는 지금 책을 읽고 있다."),
        CorrectionPrompt(source: "held out", instruction: "주어진 문장의 맞춤법을 고쳐 주세요.", input: "숙제를 벌써 다 했읍니다.",
                         expected: "숙제를 벌써 다 했습니다."),
        CorrectionPrompt(source: "held out", instruction: "이 문장의 문법을 교정하세요.", input: "어제 친구가 우리 집에 왔었어요 그래서 같이 밥을 먹었됬어요.",
                         expected: "어제 친구가 우리 집에 왔었어요. 그래서 같이 밥을 먹었어요."),
    ]

    /// The records chapter 01 repaired: where the baseline's repaired.jsonl and the --no-repair run's differ. The
    /// prompt is the repaired one (the sentence with the mistake back in it); the expected answer is the record's own.
    static func repairedRecords(repaired: [InstructionRecord], unrepaired original: [InstructionRecord], file: String) throws -> [CorrectionPrompt] {
        guard repaired.count == original.count else {
            throw RecordError(file: file, problem: "\(original.count) records, but the baseline's repaired.jsonl has \(repaired.count): not the same file")
        }
        return zip(repaired, original).enumerated().filter { $0.element.0 != $0.element.1 }.map { index, pair in
            CorrectionPrompt(source: "record \(index) (repaired)", instruction: pair.0.instruction, input: pair.0.input,
                             expected: pair.0.output, record: index)
        }
    }

    /// Greedy answers of the model in `directory` (Hugging Face layout with its tokenizer) to every prompt.
    static func answers(modelDirectory directory: String, prompts: [CorrectionPrompt], template: PromptTemplate,
                        maxNewTokens: Int) throws -> [String] {
        let tokenizer = try BPETokenizer(contentsOf: directory + "/tokenizer.json")
        let decoder = Decoder(model: try Checkpoint.loadModel(from: directory), vocabularyLimit: tokenizer.vocabularySize)
        return try prompts.map { p in
            let ids = tokenizer.encode(template.promptForGeneration(instruction: p.instruction, input: p.input))
            let room = max(1, min(maxNewTokens, decoder.context - ids.count))
            let generated = try decoder.generate(prompt: Array(ids.suffix(decoder.context - room)), maxNewTokens: room,
                                                 stopTokens: [tokenizer.endOfText])
            return tokenizer.decode(generated.tokens).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}
