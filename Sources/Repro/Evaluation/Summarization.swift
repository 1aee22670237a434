// News summarization: the articles, the references, and the prompt that asks for a summary.
//
// The paper evaluates on an AI-hub summarization set that is not public. The stand-in here is sci-news-sum-kr-50:
// 50 Korean IT/science articles, `NN.json` each, with `sentences` and `summaries` (indices of the sentences two people
// chose). The document is the sentences joined by spaces; the reference is the chosen sentences, in article order,
// joined the same way. So the reference is extractive: a model that copied the right sentences would score high.
// A JSON Lines file of {"document", "summary"} works too, for a user with the AI-hub set or another.
import Foundation
import Tensor
import Plumbing

public struct SummaryExample: Equatable, Sendable {
    public var id: String
    public var document: String
    public var reference: String

    public init(id: String, document: String, reference: String) {
        self.id = id; self.document = document; self.reference = reference
    }
}

public enum Summarization {
    /// A directory of sci-news-sum-kr-50 articles (`*.json`, in name order) or a `.jsonl` file of {document, summary}.
    public static func load(_ path: String) throws -> [SummaryExample] {
        let examples: [SummaryExample]
        if FileIO.isDirectory(path) {
            let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".json") }.sorted()
            examples = try names.map { try loadArticle(path + "/" + $0) }
        } else {
            examples = try loadJSONLines(path)
        }
        guard !examples.isEmpty else { throw RecordError(file: path, problem: "no articles (expected NN.json files or JSON lines)") }
        return examples
    }

    /// One sci-news-sum-kr-50 article: `sentences` (strings) and `summaries` (indices into them).
    public static func loadArticle(_ path: String) throws -> SummaryExample {
        let json = try Records.readJSONDocument(path)
        guard let sentenceValues = json["sentences"]?.array, !sentenceValues.isEmpty else {
            throw RecordError(file: path, problem: "missing or empty \"sentences\" array")
        }
        var sentences: [String] = []
        for (i, value) in sentenceValues.enumerated() {
            guard let s = value.string else { throw RecordError(file: path, problem: "sentences[\(i)] is not a string") }
            sentences.append(s)
        }
        guard let chosen = json["summaries"]?.array, !chosen.isEmpty else {
            throw RecordError(file: path, problem: "missing or empty \"summaries\" array")
        }
        var indices: [Int] = []
        for (i, value) in chosen.enumerated() {
            guard let index = value.int, sentences.indices.contains(index) else {
                throw RecordError(file: path, problem: "summaries[\(i)] is not an index into the \(sentences.count) sentences")
            }
            indices.append(index)
        }
        let name = (path as NSString).lastPathComponent
        return SummaryExample(id: String(name.dropLast(".json".count)), document: sentences.joined(separator: " "),
                              reference: Set(indices).sorted().map { sentences[$0] }.joined(separator: " "))
    }

    /// {"document": ..., "summary": ...} per line; "id" is optional (default: the record's number from 1, blank lines not
    /// counted).
    public static func loadJSONLines(_ path: String) throws -> [SummaryExample] {
        var examples: [SummaryExample] = []
        for (i, record) in try Records.readJSONLines(path).enumerated() {
            guard let document = record["document"]?.string, !document.allSatisfy(\.isWhitespace) else {
                throw RecordError(file: path, record: i, problem: "missing or empty \"document\" string")
            }
            guard let summary = record["summary"]?.string, !summary.allSatisfy(\.isWhitespace) else {
                throw RecordError(file: path, record: i, problem: "missing or empty \"summary\" string")
            }
            let id = record["id"]?.string ?? record["id"]?.int.map(String.init) ?? String(i + 1)
            examples.append(SummaryExample(id: id, document: document, reference: summary))
        }
        return examples
    }
}

/// The paper's summarization prompt, `주어진 기사를 요약하세요 기사: (문서)`.
public struct SummaryPrompt: Sendable {
    public enum Form: String, CaseIterable, Sendable {
        /// In the training template (the format the model was tuned on): instruction = "주어진 기사를 요약하세요",
        /// input = "기사: " + the article; the model answers after "### 응답:\n".
        case template
        /// The paper's words alone: "주어진 기사를 요약하세요 기사: " + the article; the model continues from there.
        case raw
    }

    public static let instruction = Paper.summaryInstruction
    public static let articleLabel = Paper.summaryArticleLabel

    public var form: Form
    public var template: PromptTemplate

    public init(form: Form, template: PromptTemplate = .korean) { self.form = form; self.template = template }

    public func text(document: String) -> String {
        switch form {
        case .template: return template.promptForGeneration(instruction: SummaryPrompt.instruction,
                                                             input: SummaryPrompt.articleLabel + document)
        case .raw: return SummaryPrompt.instruction + " " + SummaryPrompt.articleLabel + document
        }
    }

    /// The prompt's token ids, the article cut from its end until the prompt fits in `budget` tokens.
    public func fit(document: String, tokenizer: BPETokenizer, budget: Int) throws -> (ids: [Int32], keptCharacters: Int) {
        try PromptFit.fit(document, tokenizer: tokenizer, budget: budget, render: text(document:))
    }
}

public enum PromptFit {
    /// The token ids of `render(document)`, with `document` cut from its end (whole characters) until they fit in
    /// `budget`; `keptCharacters` < the document's length when it was cut. Throws when even an empty document does not
    /// fit, naming the sizes.
    public static func fit(_ document: String, tokenizer: BPETokenizer, budget: Int,
                           render: (String) -> String) throws -> (ids: [Int32], keptCharacters: Int) {
        let characters = Array(document)
        let full = tokenizer.encode(render(document))
        if full.count <= budget { return (full, characters.count) }
        func ids(_ kept: Int) -> [Int32] { tokenizer.encode(render(String(characters[..<kept]))) }
        let empty = ids(0).count
        guard empty <= budget else {
            throw ModelError("the prompt without its document takes \(empty) tokens, more than the \(budget) available (context − new tokens)")
        }
        // Binary search for the longest prefix that fits: ids(low) fits, ids(high) does not. Token counts grow with
        // the prefix (up to BPE merges across the cut, which can only shorten a longer prefix's count by a token).
        var low = 0, high = characters.count
        while high - low > 1 {
            let middle = (low + high) / 2
            if ids(middle).count <= budget { low = middle } else { high = middle }
        }
        return (ids(low), low)
    }
}
