// Chapter 05 — evaluation: the paper's two tests on every cell of chapter 04's grid, and Table 4 beside the paper's.
//
// Summarization scored by ROUGE-1 and ROUGE-L (on a public stand-in for the paper's AI-hub set), and one-shot NSMC
// sentiment accuracy read two ways. Generation is greedy with a KV cache: the prompt in one forward pass, then one
// position per new token.
import ArgumentParser
import Foundation
import Book
import Plumbing
import Repro

// Files of this chapter's own (what it hands chapter 06 is `Artifacts.summaries` and `.nsmcPredictions`).
enum Output {
    static let table4 = "table4.md"               // + table4.csv
    static let rouge = "rouge.md"                 // every level, P/R/F1
    static let nsmc = "nsmc.md"                   // both readings, balance, baseline
    static let timing = "timing.md"
    static let samples = "samples.md"
    static let answersTable = "answers.md"
    static let tuning = "tuning.md"                // each cell against its base
    static func answers(_ cell: String) -> String { "cells/\(cell)/answers.jsonl" }
    static let rougeFigure = "rouge"
    static let nsmcFigure = "nsmc-accuracy"
}

extension SummaryPrompt.Form: ExpressibleByArgument {}
extension NSMCPrompt.Form: ExpressibleByArgument {}
extension RougeLevel: ExpressibleByArgument {}
extension PromptTemplate: ExpressibleByArgument {}

struct EvaluationChapter: ChapterCommand {
    static let chapter = Chapter.evaluation

    @OptionGroup var common: CommonOptions

    @Option(help: "Evaluate this Hugging Face–style model directory (config.json, model.safetensors, tokenizer.json) instead of chapter 04's cells.")
    var checkpoint: String?

    @Option(help: "Evaluate only these of chapter 04's cells (comma-separated, e.g. small-high,large-low; default: every cell it trained).")
    var cells: String?

    @Option(name: .customLong("pretrained-from"), help: "The artifacts folder whose chapter 00 holds the untuned bases evaluated beside the cells (default: this run's --out).")
    var pretrainedFrom: String?

    @Flag(name: .customLong("no-bases"), help: "Leave the untuned bases out (chapter 06's runs do: their bases are the baseline's, already evaluated there).")
    var noBases = false

    @Flag(name: .customLong("no-summaries"), help: "Leave the summarization test out (chapter 06's template ablation does: at the course's context the bilingual template's prompt leaves no room for an article).")
    var noSummaries = false

    @Option(help: "Summaries from this directory of sci-news-sum-kr-50 articles or JSON Lines file of {document, summary} (default: <data-dir>/summarization/sci-news-sum-kr-50).")
    var summaries: String?

    @Option(name: .customLong("summary-prompt"), help: "template (the paper's prompt in the training template's slots) or raw (the paper's words alone).")
    var summaryPrompt: SummaryPrompt.Form = .template

    @Option(name: .customLong("nsmc-prompt"), help: "raw (the paper's one-shot text) or template (each part in the training template).")
    var nsmcPrompt: NSMCPrompt.Form = .raw

    @Option(help: "Training template for the prompts (default: the one chapter 02 used; korean for --checkpoint).")
    var template: PromptTemplate?

    @Flag(name: .customLong("demonstration-per-example"), help: "Draw each NSMC example's demonstration from the held-out slice (seeded) instead of one per run.")
    var demonstrationPerExample = false

    @Option(name: .customLong("rouge-level"), help: "Tokenization of the headline ROUGE in table4.md: syllable or eojeol (both are always reported).")
    var rougeLevel: RougeLevel = .syllable

    @Option(name: .customLong("max-new-tokens"), parsing: .unconditional, help: "Longest summary in tokens (default: the preset's).")
    var maxNewTokens: Int?

    @Option(name: .customLong("nsmc-scored"), parsing: .unconditional, help: "NSMC reviews to score (default: the preset's; 0 = every row outside the demonstration slice).")
    var nsmcScored: Int?

    @Option(parsing: .unconditional, help: "Sample summaries at this temperature (0 = greedy, the default).")
    var temperature: Float = 0

    @Option(name: .customLong("top-k"), parsing: .unconditional, help: "With --temperature: sample among the k most probable tokens.")
    var topK: Int?

    @Option(name: .customLong("top-p"), parsing: .unconditional, help: "With --temperature: sample within the smallest set of tokens whose probability reaches p.")
    var topP: Float?

    func validate() throws {
        if checkpoint != nil && cells != nil { throw ValidationError("--checkpoint and --cells exclude each other") }
        if noBases && pretrainedFrom != nil { throw ValidationError("--no-bases and --pretrained-from exclude each other") }
        if noSummaries && summaries != nil { throw ValidationError("--no-summaries and --summaries exclude each other") }
        if let maxNewTokens, maxNewTokens < 1 { throw ValidationError("--max-new-tokens must be at least 1") }
        if let nsmcScored, nsmcScored < 0 { throw ValidationError("--nsmc-scored must be 0 or more") }
        if !(temperature.isFinite && temperature >= 0) { throw ValidationError("--temperature must be 0 (greedy) or a finite positive number") }
        if let cells, cells.split(separator: ",", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            throw ValidationError("--cells \"\(cells)\" has an empty name")
        }
        if let topP, !(topP > 0 && topP <= 1) { throw ValidationError("--top-p must be in (0, 1]") }
        if let topK, topK < 1 { throw ValidationError("--top-k must be at least 1") }
        if rougeLevel != .syllable && rougeLevel != .eojeol { throw ValidationError("--rouge-level is syllable or eojeol") }
    }

    func run() throws {
        let started = Date()
        let run = try ChapterRun(self)
        let (models, trainingTemplate) = try modelsToEvaluate(run)
        let settings = describeModels(run, models, template: template ?? trainingTemplate)
        describeGeneration(run, settings)
        let articles = try loadArticles(run, settings)
        let split = try loadNSMC(run, settings)
        let instructions = try describeHeldOutInstructions(run)
        // Every input is recorded by now (the models, the articles, the NSMC file): a previous run with the same
        // program, options and inputs is reused rather than generating everything again.
        if try run.reuseIfFinished() { return }
        var evaluations: [ModelEvaluation] = []
        for model in models {
            evaluations.append(try evaluate(model, articles: articles, split: split, instructions: instructions, settings: settings))
            try writePredictions(run, evaluations.last!)
        }
        try showAnswers(run, evaluations)
        let report = try showTable4(run, evaluations, articles: articles, split: split, settings: settings)
        try showTime(run, evaluations, started: started)
        try run.write(Output.samples, text: report.samples)
        run.notebook.text("Three summaries and three NSMC answers per cell, beside the references: [samples.md](samples.md).")
        try run.finish()
    }
}

extension EvaluationChapter {
    func describeModels(_ run: ChapterRun, _ models: [ModelUnderTest], template: PromptTemplate) -> EvaluationSettings {
        run.notebook.section("The models")
        var list = Table(title: "Models evaluated", columns: ["cell", "model", "learning rate", "directory"])
        for m in models { list.add([m.id, m.modelName, m.learningRate.map { Format.scientific($0, 2) } ?? "—", m.directory]) }
        run.notebook.table(list)
        return EvaluationSettings(
            summaryPrompt: SummaryPrompt(form: summaryPrompt, template: template),
            nsmcPrompt: NSMCPrompt(form: nsmcPrompt, template: template),
            maxNewTokens: maxNewTokens ?? run.preset.maxNewTokens, demonstrationPerExample: demonstrationPerExample,
            temperature: temperature, topK: topK, topP: topP, seed: common.seed)
    }

    func describeGeneration(_ run: ChapterRun, _ settings: EvaluationSettings) {
        let book = run.notebook
        book.section("Generation with a KV cache")
        book.text("""
        The prompt goes through the model once, leaving each layer's keys and values in a cache; every new token is \
        then a forward pass of one position that attends to the cache, instead of the whole sequence again (the unit \
        tests check both give the same tokens and logits; `swift run -c release bench --only decode` measures the \
        speed-up). Decoding is \(temperature > 0 ? "sampled at temperature \(temperature)\(topK.map { ", top-k \($0)" } ?? "")\(topP.map { ", top-p \($0)" } ?? ""), seed \(common.seed)" : "greedy (the most probable token each step)"), \
        until the end-of-text token or \(settings.maxNewTokens) new tokens; ids past the tokenizer's vocabulary (the \
        embedding's padding rows) are never chosen.
        """)
    }

    func loadArticles(_ run: ChapterRun, _ settings: EvaluationSettings) throws -> [SummaryExample] {
        let book = run.notebook
        book.section("Summarization and ROUGE")
        if noSummaries {
            book.text("Left out (`--no-summaries`): no article is summarized and no ROUGE is scored; the other tests run as usual.")
            return []
        }
        let summaryPath = summaries ?? run.dataDirectory + "/summarization/sci-news-sum-kr-50"
        var articles = try Summarization.load(summaryPath)
        try recordInputs(run, summaryPath)
        if let limit = run.preset.summaryArticles { articles = Array(articles.prefix(limit)) }
        book.text("""
        \(articles.count) articles from `\(summaryPath)`\(summaries == nil ? " (sci-news-sum-kr-50: a public stand-in for the paper's AI-hub set; the reference is the sentences two people chose, in article order — an extractive summary)" : ""). \
        The paper's prompt `주어진 기사를 요약하세요 기사: (문서)` is placed \(summaryPrompt == .template ? "in the training template: instruction = `\(SummaryPrompt.instruction)`, input = `\(SummaryPrompt.articleLabel)` + the article, so the model answers after `### 응답:` as it was tuned to" : "as it stands, the model continuing after the article"). \
        An article too long for the context minus \(settings.maxNewTokens) new tokens is cut from its end.
        """)
        if let first = articles.first { book.code(settings.summaryPrompt.text(document: String(first.document.prefix(60)) + "…")) }
        book.text("""
        ROUGE as rouge-score defines it, without stemming: ROUGE-1 from clipped unigram overlap, ROUGE-L from the longest \
        common subsequence; precision, recall and F1 per article, averaged. Tokens are **syllables** (every non-space \
        character) or **eojeol** (space-separated words, punctuation split off); the headline uses \(rougeLevel.rawValue). \
        rouge-score's default tokenizer keeps only `[a-z0-9]` and so scores Korean 0 — the `ascii` rows below show it \
        on our own outputs. A reference point without any model: the *lead* baseline, the article's first \
        \(settings.maxNewTokens) tokens taken as its summary.
        """)
        return articles
    }

    func loadNSMC(_ run: ChapterRun, _ settings: EvaluationSettings) throws -> NSMCSplit {
        let book = run.notebook
        book.section("NSMC, one shot")
        let nsmcPath = try run.input(run.dataDirectory + "/nsmc/ratings_test.txt")
        let rows = try NSMC.load(nsmcPath)
        let wanted = nsmcScored.map { $0 == 0 ? nil : $0 } ?? run.preset.nsmcScored
        let split = NSMC.split(rows, scored: wanted, seed: common.seed)
        guard !split.scored.isEmpty, !split.demonstrations.isEmpty else {
            throw RecordError(file: nsmcPath, problem: "too few non-empty rows for a demonstration slice and a scored subset")
        }
        let balance = split.balance
        book.text("""
        \(Format.count(rows.count)) rows in `\(nsmcPath)`; \(split.emptySkipped) with an empty document skipped. A seeded \
        shuffle (seed \(common.seed)) holds out \(split.demonstrations.count) rows as the demonstration slice, never \
        scored\(split.repeatsOfDemonstrations > 0 ? " (and \(split.repeatsOfDemonstrations) other rows repeating a demonstration's text are skipped)" : ""); \
        the next \(Format.count(split.scored.count)) are scored: \(balance.positive) 긍정, \(balance.negative) 부정, so \
        always answering the majority label scores \(Format.percent(split.majorityAccuracy)). \
        \(demonstrationPerExample ? "Each example draws its demonstration from the slice." : "Every example uses the same demonstration, the slice's first (label \(split.demonstrations[0].label.word)).")
        """)
        book.code(settings.nsmcPrompt.text(demonstration: split.demonstrations[0], document: split.scored[0].document))
        book.text("""
        Two readings of the answer: (a) generate up to \(settings.nsmcAnswerTokens) tokens and take the label its first \
        word begins with (긍정… or 부정…; anything else is unparseable and counted wrong); (b) compare the model's \
        log-likelihood of the two continuations `\(settings.nsmcPrompt.continuation(.positive))` and \
        `\(settings.nsmcPrompt.continuation(.negative))`, as evaluation harnesses score multiple choice. Both come from \
        one forward pass of the prompt.
        """)
        return split
    }

    /// Chapter 02's held-out instructions, which every model answers (none for a --checkpoint run without chapters
    /// 01 and 02 in this --out).
    func describeHeldOutInstructions(_ run: ChapterRun) throws -> [HeldOutInstruction] {
        let instructions = try heldOutInstructions(run)
        guard !instructions.isEmpty else { return [] }
        run.notebook.section("The held-out instructions")
        run.notebook.text("""
        The \(instructions.count) records chapter 02 held out are asked as the model was trained: each in the training \
        template, the model's answer after `### 응답:`, greedy, until the end-of-text token or \(maxNewTokens ?? run.preset.maxNewTokens) \
        new tokens. An *answer* is non-empty Korean text that the model ended itself (with end-of-text); a model that \
        has learned the format but not the task writes the same answer to every prompt, so the share of distinct \
        answers is counted too.
        """)
        return instructions
    }

    func showAnswers(_ run: ChapterRun, _ evaluations: [ModelEvaluation]) throws {
        guard let first = evaluations.first, !first.answers.isEmpty else { return }
        var table = Table(title: "Answers to the \(first.answers.count) held-out instructions",
                          columns: ["cell", "Korean text", "ended at EOS", "answers (both)", "distinct answers", "mean new tokens", "most common answer"])
        for e in evaluations {
            let s = AnswerSummary(e.answers)
            table.add([e.model.id, "\(s.nonEmptyKorean) of \(s.prompts)", "\(s.endedAtEndOfText)",
                       "\(s.answers) (\(Format.percent(Double(s.answers) / Double(max(s.prompts, 1)), 0)))",
                       s.answers == 0 ? "—" : "\(s.distinctAnswers) (\(Format.percent(Double(s.distinctAnswers) / Double(s.answers), 0)) of answers)",
                       Format.fixed(s.meanNewTokens, 1),
                       s.mostCommon.map { "\(Table.shortened($0.answer.isEmpty ? "(nothing)" : $0.answer, 40)) (×\($0.count))" } ?? "—"])
        }
        run.notebook.table(table)
        try run.write(Output.answersTable, table: table)
        for e in evaluations {
            run.notebook.text("**\(e.model.id)**, the first three: " + e.answers.prefix(3).map {
                "record \($0.record) → “\(Table.shortened($0.answer.isEmpty ? "(nothing)" : $0.answer, 80))”"
            }.joined(separator: "; ") + ".")
        }
    }

    func showTable4(_ run: ChapterRun, _ evaluations: [ModelEvaluation], articles: [SummaryExample], split: NSMCSplit,
                    settings: EvaluationSettings) throws -> Report {
        let book = run.notebook
        book.section("Table 4, ours beside the paper's")
        let firstTokenizer = try BPETokenizer(contentsOf: evaluations[0].model.directory + "/tokenizer.json")
        let lead = leadBaseline(articles, tokenizer: firstTokenizer, tokens: settings.maxNewTokens)
        let report = Report(evaluations: evaluations, split: split, headline: rougeLevel, seed: common.seed,
                            lead: lead, leadTokens: settings.maxNewTokens)
        book.table(report.table4)
        try run.write(Output.table4, table: report.table4)
        if let tuning = report.tuningTable {
            book.table(tuning)
            try run.write(Output.tuning, table: tuning)
        }
        if !articles.isEmpty {
            try run.figure(report.rougeFigure, caption: "Bars: mean F1 over the articles, with 95% bootstrap intervals; hatched: the paper's Table 4.")
            book.table(report.rougeTable)
            try run.write(Output.rouge, table: report.rougeTable)
        }
        try run.figure(report.nsmcFigure, caption: "Bars: accuracy on the scored reviews with 95% Wilson intervals; hatched: the paper's; dashed line: always answering the majority label.")
        book.table(report.nsmcTable)
        try run.write(Output.nsmc, table: report.nsmcTable)
        let truncated = evaluations.first.map { e in e.summaries.filter(\.truncated).count } ?? 0
        let cutReviews = evaluations.reduce(0) { $0 + $1.nsmc.filter(\.reviewCut).count }
        let cutArticles = articles.isEmpty ? "No article was summarized"
            : "\(truncated) of \(articles.count) articles were cut from their end so that prompt + \(settings.maxNewTokens) new tokens fit the context"
        book.text("""
        \(cutArticles); \(cutReviews) NSMC prompts had their review cut. Every prediction is in `cells/<id>/summaries.jsonl` and \
        `cells/<id>/nsmc.jsonl`; `swift run inspect rouge --pairs cells/<id>/summaries.jsonl --level eojeol` rescores one.
        """)
        return report
    }

    func showTime(_ run: ChapterRun, _ evaluations: [ModelEvaluation], started: Date) throws {
        run.notebook.section("Time")
        var timing = Table(title: "Evaluation time per model (\(ProcessInfo.processInfo.activeProcessorCount) cores)",
                           columns: ["cell", "parameters", "summaries", "NSMC", "tokens generated", "total"])
        for e in evaluations {
            timing.add([e.model.id, Format.count(e.parameters), Format.fixed(e.summarySeconds, 1) + " s",
                        Format.fixed(e.nsmcSeconds, 1) + " s", Format.count(e.generatedTokens),
                        Format.fixed(e.summarySeconds + e.nsmcSeconds, 1) + " s"])
        }
        timing.notes = ["Whole chapter: \(Format.fixed(Date().timeIntervalSince(started), 1)) s, loading included."]
        run.notebook.table(timing)
        try run.write(Output.timing, table: timing)
    }

    /// The models: the --checkpoint directory, or chapter 04's finished cells (checked against its manifest), and the
    /// template chapter 02 made their training examples with.
    func modelsToEvaluate(_ run: ChapterRun) throws -> ([ModelUnderTest], PromptTemplate) {
        if let checkpoint {
            for file in ModelFolder.members { try run.input(checkpoint + "/" + file) }
            return ([ModelUnderTest(id: "checkpoint", directory: checkpoint, modelName: try modelName(checkpoint), learningRate: nil)], .korean)
        }
        // Chapter 04's grid.json lists the cells it trained, in grid order, with their learning rates.
        let grid = try run.read(Artifacts.grid)
        let wanted = cells.map { Set($0.split(separator: ",").map(String.init)) }
        var models: [ModelUnderTest] = []
        for cell in grid.cells where wanted?.contains(cell.id) ?? true {
            let directory = try run.read(Artifacts.model(cell.id)).directory
            models.append(ModelUnderTest(id: cell.id, directory: directory, modelName: try modelName(directory),
                                         learningRate: cell.learningRate))
        }
        if let wanted, let unknown = wanted.subtracting(models.map(\.id)).sorted().first {
            throw ValidationError("chapter 04 did not train cell \(unknown); it trained \(grid.cells.map(\.id))")
        }
        guard !models.isEmpty else { throw ModelError("chapter 04's grid lists no cell") }
        let baseModels = try bases(of: &models, grid: grid, run)
        return (models + baseModels, try run.read(Artifacts.promptingStats).template)
    }

    /// The untuned base of every size the cells have, when chapter 00 has run (in --pretrained-from, else this
    /// --out): "before tuning", on the same prompts. Each cell is told its base's id.
    func bases(of models: inout [ModelUnderTest], grid: Grid, _ run: ChapterRun) throws -> [ModelUnderTest] {
        let root = pretrainedFrom ?? common.outputDirectory
        guard !noBases, FileIO.exists(root + "/" + Chapter.pretraining.folder + "/manifest.json") else { return [] }
        let bases = try run.read(Artifacts.bases, root: root)
        var found: [ModelUnderTest] = []
        for cell in grid.cells where models.contains(where: { $0.id == cell.id }) {
            guard bases.base(cell.model) != nil else { continue }
            let id = "\(cell.size)-base"
            if !found.contains(where: { $0.id == id }) {
                let directory = try run.read(Artifacts.base(cell.model), root: root).directory
                found.append(ModelUnderTest(id: id, directory: directory, modelName: try modelName(directory), learningRate: nil, isBase: true))
            }
            if let i = models.firstIndex(where: { $0.id == cell.id }) { models[i].base = id }
        }
        return found
    }

    func modelName(_ directory: String) throws -> String {
        let path = directory + "/" + Checkpoint.configFile
        return (try JSON.parse(try FileIO.read(path), file: path))["_name_or_path"]?.string ?? (directory as NSString).lastPathComponent
    }

    /// Record the summarization files read (a directory's articles, or the one JSON Lines file).
    func recordInputs(_ run: ChapterRun, _ path: String) throws {
        guard FileIO.isDirectory(path) else { try run.input(path); return }
        for name in try FileManager.default.contentsOfDirectory(atPath: path).filter({ $0.hasSuffix(".json") }).sorted() {
            try run.input(path + "/" + name)
        }
    }

    func writePredictions(_ run: ChapterRun, _ e: ModelEvaluation) throws {
        try run.write(Artifacts.summaries(e.model.id), JSONLines(e.summaries.map { s in
            SummaryPrediction(id: s.example.id, prediction: s.output, reference: s.example.reference, promptTokens: s.promptTokens,
                              newTokens: s.newTokens, articleCharactersKept: s.keptCharacters, stop: s.stop.rawValue,
                              scores: scoredLevels.map { ($0.rawValue, s.scores[$0]!.rouge1.f1, s.scores[$0]!.rougeL.f1) })
        }))
        if !e.answers.isEmpty { try run.write(Output.answers(e.model.id), jsonLines: e.answers) }
        try run.write(Artifacts.nsmcPredictions(e.model.id), JSONLines(e.nsmc.map { o in
            NSMCPrediction(id: o.row.id, document: o.row.document, label: o.row.label.word, demonstrationID: o.demonstration.id,
                           answer: o.answer, parsed: o.parsed?.word, logpPositive: o.logLikelihood[.positive] ?? .nan,
                           logpNegative: o.logLikelihood[.negative] ?? .nan, likelihoodChoice: o.likelihoodChoice.word)
        }))
    }
}

EvaluationChapter.main()
