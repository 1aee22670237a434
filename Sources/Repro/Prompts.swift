// MARK: - The paper's prompt templates

/// An instruction-following record: KoAlpaca's three fields.
public struct InstructionRecord: Equatable, Sendable {
    public var instruction: String
    public var input: String
    public var output: String

    public init(instruction: String, input: String, output: String) {
        self.instruction = instruction; self.input = input; self.output = output
    }
}

/// How a record becomes the text a model reads. The paper uses KoAlpaca's Korean-only templates: one for records with
/// an input, one without. The prompt ends at `### 응답:`; a newline follows, then the response, then the tokenizer's
/// end-of-text token. The newline belongs to the prompt side, so the first token the model is trained to produce is the
/// first token of the answer itself, and at evaluation time the model is given the prompt *with* that newline.
public enum PromptTemplate: String, CaseIterable, Sendable {
    /// The paper's templates (Korean headers only).
    case korean
    /// KoAlpaca's bilingual form, as in its own training scripts: each Korean sentence preceded by Stanford Alpaca's
    /// English one, headers "### Instruction(명령어):" etc. Kept for the template ablation.
    case bilingual

    public static let koreanWithInput = Paper.templateWithInput
    public static let koreanWithoutInput = Paper.templateWithoutInput
    public static let bilingualWithInput = "Below is an instruction that describes a task, paired with an input that provides further context.\n아래는 작업을 설명하는 명령어와 추가적 맥락을 제공하는 입력이 짝을 이루는 예제입니다.\n\nWrite a response that appropriately completes the request.\n요청을 적절히 완료하는 응답을 작성하세요.\n\n### Instruction(명령어):\n{instruction}\n\n### Input(입력):\n{input}\n\n### Response(응답):"
    public static let bilingualWithoutInput = "Below is an instruction that describes a task.\n아래는 작업을 설명하는 명령어입니다.\n\nWrite a response that appropriately completes the request.\n명령어에 따른 요청을 적절히 완료하는 응답을 작성하세요.\n\n### Instruction(명령어):\n{instruction}\n\n### Response(응답):"

    /// The template text chosen by whether the record has an input.
    public func template(hasInput: Bool) -> String {
        switch self {
        case .korean: return hasInput ? PromptTemplate.koreanWithInput : PromptTemplate.koreanWithoutInput
        case .bilingual: return hasInput ? PromptTemplate.bilingualWithInput : PromptTemplate.bilingualWithoutInput
        }
    }

    /// The prompt for an instruction and input (an empty or all-whitespace input selects the template without input),
    /// ending at the response header, without the newline.
    public func prompt(instruction: String, input: String) -> String {
        let hasInput = !input.allSatisfy(\.isWhitespace)
        // Fill {input} first: an instruction that happens to contain the text "{input}" must stay as it is.
        var text = template(hasInput: hasInput)
        if hasInput { text = text.replacingFirst("{input}", with: input) }
        return text.replacingFirst("{instruction}", with: instruction)
    }

    /// What the model is given before it answers: the prompt and the newline after the response header.
    public func promptForGeneration(instruction: String, input: String) -> String {
        prompt(instruction: instruction, input: input) + "\n"
    }
}

extension String {
    /// Replace the first occurrence only (templates hold each slot once; user text is never re-scanned).
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}

import Foundation
