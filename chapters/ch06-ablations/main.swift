// Chapter 06 — ablations: change one thing, run the same code, see what moves.
//
// Each ablation is a full run of chapters 01, 02, 04 and 05 into its own folder with one flag changed; the baseline
// is the book's own run (chapters 01–05 in --out, which this chapter runs first, reusing whatever is up to date). The
// comparison — one table and one or two figures per ablation, each from its own function below — is written here,
// beside the runs.
import ArgumentParser
import Foundation
import Book
import Plumbing
import Repro

// Files of this chapter's own.
enum Output {
    static let runs = "runs"                          // runs/<ablation>/{01-data-repair, 02-prompting, 04-training, 05-evaluation}
    static func table(_ a: Ablation) -> String { a.rawValue + ".md" }      // + .csv
    static func lossFigure(_ a: Ablation) -> String { a.rawValue + "-loss" }
    static let repairAnswers = "repair-answers.md"    // every correction prompt, both models' answers
    static let eosLengths = "eos-lengths"             // histogram of summary lengths
    static let sizeLoss = "sizes-loss-by-parameters"
    static let sizeScores = "sizes-scores-by-parameters"
    static let summary = "ablations.md"               // one line per ablation
}

struct AblationsChapter: ChapterCommand {
    static let chapter = Chapter.ablations

    @OptionGroup var common: CommonOptions

    @Option(help: "Run only these ablations (comma-separated, of \(Ablation.allCases.map(\.rawValue).joined(separator: ", "))), or all; default: all of them but sizes and template at --scale course.")
    var only: String?

    @Option(parsing: .unconditional, help: "Chapter 02's --training-records for the baseline and every ablation alike (default: the scale's limit).")
    var trainingRecords: Int?

    func validate() throws {
        if let trainingRecords, trainingRecords < 1 {
            throw ValidationError("--training-records must be 1 or more (got \(trainingRecords))")
        }
        _ = try selected()
        guard common.scale != .paper else { throw ValidationError("ablations train models: use --scale smoke, course or full") }
    }

    func selected() throws -> [Ablation] {
        guard let only else { return Ablation.byDefault(at: common.scale) }
        if only == "all" { return Ablation.allCases }
        return try only.split(separator: ",", omittingEmptySubsequences: false).map { name in
            guard let a = Ablation(rawValue: String(name)) else {
                throw ValidationError("--only: unknown ablation \"\(name)\"; the ablations are \(Ablation.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return a
        }
    }

    var baselineRoot: String { common.outputDirectory }
    var runsRoot: String { baselineRoot + "/" + Chapter.ablations.folder + "/" + Output.runs }

    func run() throws {
        // Hold this chapter's folder before the runs below write into it (runs/) and beside it.
        let run = try ChapterRun(self)
        let ablations = try selected()
        // The baseline is the book's own run; an ablation's run differs from it by its flag alone (see Ablation).
        let chain = ChapterChain(scale: common.scale, dataDirectory: common.resolvedDataDirectory, seed: common.seed)
        let shared: (Chapter) -> [String] = { Ablation.shared(chapter: $0, trainingRecords: trainingRecords) }
        try chain.run(out: baselineRoot, label: "baseline", chapters: ChapterChain.baseline, extra: shared)
        for a in ablations {
            try chain.run(out: runsRoot + "/" + a.rawValue, label: a.rawValue, chapters: a.chapters) {
                a.arguments(chapter: $0, baseline: baselineRoot, seed: common.seed) + shared($0)
            }
        }
        // Read everything first (recording the inputs), so an unchanged comparison is reused.
        let readings = try Readings(run, ablations, baseline: baselineRoot, runs: runsRoot)
        if try run.reuseIfFinished() { return }
        introduce(run, ablations)
        var overview = Table(title: "The ablations", columns: ["ablation", "the one change", "cells", "what to look at"])
        for a in ablations { overview.add(try show(a, run, readings)) }
        run.notebook.section("All of them")
        run.notebook.table(overview)
        try run.write(Output.summary, table: overview)
        try run.finish()
    }
}

/// Everything chapter 06 reads of the runs: each ablation's cells and the baseline's beside them, chapter 02's
/// counts of each run, and for the repair ablation the two data sets.
struct Readings {
    var outcomes: [Ablation: (base: [CellOutcome], variant: [CellOutcome])] = [:]
    var baseStats: PromptingStats
    var variantStats: [Ablation: PromptingStats] = [:]
    /// The baseline's bases (chapter 00), when it has them.
    var bases: Bases?
    /// For the template ablation: the summarization prompt's tokens without its article, in each template, with the
    /// tokenizer both runs share.
    var summaryPromptTokens: (korean: Int, bilingual: Int)?
    var probe: RepairProbe?
    /// The seed ablation's change of the validation loss, quoted beside every other difference.
    var noise: Double? {
        outcomes[.seed].map { abs($0.variant[0].finalValidationLoss - $0.base[0].finalValidationLoss) }
    }

    init(_ run: ChapterRun, _ ablations: [Ablation], baseline baselineRoot: String, runs runsRoot: String) throws {
        let baseline = RunReader(chapterRun: run, root: baselineRoot, name: "baseline")
        func variant(_ a: Ablation) -> RunReader { RunReader(chapterRun: run, root: runsRoot + "/" + a.rawValue, name: a.rawValue) }
        // The baseline's cells are shared by several ablations: each is read (and hashed) once.
        var baselineIDs: [String] = []
        for a in ablations { for id in a.baselineCells where !baselineIDs.contains(id) { baselineIDs.append(id) } }
        let baselineCells = try baseline.cells(baselineIDs)
        for a in ablations {
            outcomes[a] = (a.baselineCells.compactMap { id in baselineCells.first { $0.id == id } }, try variant(a).cells(a.cells))
        }
        baseStats = try baseline.promptingStats()
        bases = FileIO.exists(baselineRoot + "/" + Chapter.pretraining.folder + "/manifest.json") ? try baseline.read(Artifacts.bases) : nil
        for a in ablations { variantStats[a] = try variant(a).promptingStats() }
        if ablations.contains(.template) {
            let tokenizer = try baseline.read(Artifacts.tokenizer)
            func tokens(_ t: PromptTemplate) -> Int { tokenizer.encode(SummaryPrompt(form: .template, template: t).text(document: "")).count }
            summaryPromptTokens = (tokens(.korean), tokens(.bilingual))
        }
        if ablations.contains(.repair) {
            let unrepaired = variant(.repair)
            probe = RepairProbe(repaired: try baseline.read(Artifacts.repairedRecords).records,
                                unrepaired: try unrepaired.read(Artifacts.repairedRecords).records,
                                unrepairedFile: unrepaired.root + "/" + Chapter.dataRepair.folder + "/" + Artifacts.repairedRecords.path,
                                trainedRecords: Set(try baseline.read(Artifacts.trainingExamples).records.map(\.record)))
        }
    }
}

/// The repair ablation's two data sets, and which records the baseline trained on.
struct RepairProbe {
    var repaired: [InstructionRecord]
    var unrepaired: [InstructionRecord]
    var unrepairedFile: String
    var trainedRecords: Set<Int>
}

extension AblationsChapter {
    func introduce(_ run: ChapterRun, _ ablations: [Ablation]) {
        let template = ablations.firstIndex(of: .template).map { ", section 6.\($0 + 1)" } ?? ""
        run.notebook.text("""
        Every ablation below is a whole run of chapters 01, 02, 04 and 05 in `\(runsRoot)/<name>/`, with one flag \
        changed and every other option the baseline's (`\(baselineRoot)/`): the same scale, data, seed, split, initial \
        weights and batch order. Where the flag changes the data or the loss, the run loads the baseline's tokenizer \
        (`--tokenizer`), so the tokenizer does not change with it (every run tokenizes with the bases' own, as the \
        paper's runs all use Polyglot-Ko's; see the template ablation\(template) for what that costs). Run one with \
        `swift run -c release ch06-ablations --only <name>`; a second run reuses every chapter that is up to date.
        """)
    }

    /// One ablation's section: the change, the table of both runs, then what the ablation itself shows. Returns its
    /// row of the overview.
    func show(_ a: Ablation, _ run: ChapterRun, _ r: Readings) throws -> [String] {
        let (base, changed) = r.outcomes[a]!
        let book = run.notebook
        book.section(a.title)
        book.text("The change: `\(a.change)`. Runs: baseline cells \(a.baselineCells.joined(separator: ", ")); \(a.rawValue) cells \(a.cells.joined(separator: ", ")).")
        let table = Compare.table(a.title, base + changed)
        book.table(table)
        try run.write(Output.table(a), table: table)
        switch a {
        case .seed: return try seedSection(run, a, base, changed, r)
        case .noPretraining: return try noPretrainingSection(run, a, base, changed, r)
        case .promptMask: return try promptMaskSection(run, a, base, changed, r)
        case .repair:
            try repairSection(run, r.probe!, base: base[0], changed: changed[0], noise: r.noise)
            return [a.rawValue, "`\(a.change)`", "small-high", "answers to correction prompts (\(Output.repairAnswers))"]
        case .paperRates:
            try paperRatesSection(run, base: base, changed: changed, bases: r.bases, noise: r.noise)
            return [a.rawValue, "`\(a.change)`", a.cells.joined(separator: ", "), "held-out Wikipedia before and after tuning; per-step loss"]
        case .sizes:
            try sizesSection(run, base: base, changed: changed)
            return [a.rawValue, "`\(a.change)`", "four sweep sizes", "validation loss against parameters (log axis)"]
        case .eos: return try eosSection(run, a, base, changed, r)
        case .template: return try templateSection(run, a, base, changed, r)
        }
    }

    func seedSection(_ run: ChapterRun, _ a: Ablation, _ base: [CellOutcome], _ changed: [CellOutcome], _ r: Readings) throws -> [String] {
        let book = run.notebook
        book.text("""
        The same data, split, tokenizer, base, recipe and scored reviews; only the order in which the batches visit the \
        examples differs. \(Compare.difference(base[0], changed[0], noise: nil)) This is what chance alone moves: read every \
        other ablation's difference against it, and a difference of that size as no difference at all.
        """)
        try run.figure(Compare.lossFigure(name: Output.lossFigure(a), title: "Two seeds: loss on the responses", base + changed),
                       caption: "Solid: responses of training examples; dashed: held-out records.")
        return [a.rawValue, "`\(a.change)`", "small-high", "how far chance moves each number"]
    }

    func promptMaskSection(_ run: ChapterRun, _ a: Ablation, _ base: [CellOutcome], _ changed: [CellOutcome], _ r: Readings) throws -> [String] {
        let book = run.notebook
        let positions = { (s: PromptingStats) in Format.count(s.labelledPositions) }
        let (b, v) = (base[0], changed[0])
        let helped = v.finalValidationLoss < b.finalValidationLoss
        book.text("""
        Positions in the loss: \(positions(r.baseStats)) with the prompt masked, \(positions(r.variantStats[a]!)) without \
        the mask. Each run's own training loss (thin lines) is not comparable: without the mask it is \
        \(Format.fixed(v.finalTrainLoss, 3)) against \(Format.fixed(b.finalTrainLoss, 3)), mostly because the \
        template repeats word for word in every example and is easy to predict. The loss on the responses \
        (thick lines) is the same measure in both runs. \(Compare.difference(b, v, noise: r.noise)) \(helped
            ? "Training on the prompt *lowered* the response loss: a model that starts from random weights learns the language from every token it reads, and the prompts hold most of them. A pretrained model already knows the language and has little to learn from the template, which instruction-tuning recipes mask with such a model in mind."
            : "Training on the prompt did not help the responses: the extra positions taught the template, not the answers.")
        """)
        try run.figure(Compare.lossFigure(name: Output.lossFigure(a), title: "Prompt mask on vs off: loss on the responses", base + changed, perStep: true),
                       caption: "Thick: loss on responses (training examples solid, held-out dashed), the same measure for both runs. Thin: each run's per-step loss on what it trained on.")
        return [a.rawValue, "`\(a.change)`", "small-high", "train loss on responses vs the per-step loss"]
    }

    func eosSection(_ run: ChapterRun, _ a: Ablation, _ base: [CellOutcome], _ changed: [CellOutcome], _ r: Readings) throws -> [String] {
        let book = run.notebook
        let (b, v) = (base[0], changed[0])
        book.text("""
        \(Compare.difference(b, v, noise: r.noise)) Summaries that ended with the end-of-text token: \(b.stoppedAtEndOfText) of \
        \(b.summaryLengths.count) for the baseline, \(v.stoppedAtEndOfText) of \(v.summaryLengths.count) without EOS in \
        training. A model that never saw the token after a response has no reason to write it: it goes on until \
        the length limit. Its losses leave out the end-of-text position that the baseline's include (one \
        token per response), so they measure slightly different targets.
        """)
        try run.figure(Figure(name: Output.eosLengths, title: "Summary length: trained with EOS vs without", xLabel: "new tokens per summary",
                              yLabel: "summaries", kind: .histogram(binWidth: Double(max(1, (base[0].summaryLengths + changed[0].summaryLengths).max() ?? 1) / 24 + 1)),
                              series: [Figure.Series("baseline (EOS after every response)", values: base[0].summaryLengths.map(Double.init)),
                                       Figure.Series("--no-eos", values: changed[0].summaryLengths.map(Double.init))],
                              extra: [Compare.keyBelow]),
                       caption: "Greedy decoding stops at the end-of-text token or at the length limit (chapter 05's --max-new-tokens).")
        try run.figure(Compare.lossFigure(name: Output.lossFigure(a), title: "With vs without EOS: loss on the responses", base + changed),
                       caption: "Solid: responses of training examples; dashed: held-out records (each with or without its EOS, as the run trained).")
        return [a.rawValue, "`\(a.change)`", "small-high", "summary lengths; share stopped at EOS"]
    }

    func templateSection(_ run: ChapterRun, _ a: Ablation, _ base: [CellOutcome], _ changed: [CellOutcome], _ r: Readings) throws -> [String] {
        let (b, v) = (base[0], changed[0])
        let (korean, bilingual) = (r.baseStats, r.variantStats[a]!)
        let meanTokens = { (s: PromptingStats) in Format.fixed(s.meanTokensPerRecord, 1) }
        let preset = run.preset, room = preset.contextLength - preset.maxNewTokens
        let prompts = r.summaryPromptTokens.map { t in
            let left = t.bilingual >= room ? "no room for an article" : "room for only \(room - t.bilingual) tokens of it"
            return "Chapter 05's summarization prompt without its article is \(t.korean) tokens in the Korean template and \(t.bilingual) in the bilingual one; a \(preset.contextLength)-token context leaves \(room) beside \(preset.maxNewTokens) new tokens, so the bilingual prompt leaves \(left)"
        } ?? "The bilingual summarization prompt leaves little or no room for an article"
        run.notebook.text("""
        Both runs tokenize with the bases' tokenizer, trained on Korean Wikipedia, which cuts the English lines of the \
        bilingual template into short pieces: \(meanTokens(korean)) tokens per example with the Korean template, \
        \(meanTokens(bilingual)) with the bilingual one (the extra all masked). At a context of \(korean.contextLength) \
        positions the responses pay for it: \(bilingual.truncated) training examples have their response cut at the end \
        (\(korean.truncated) with the Korean template) and \(bilingual.dropped) are dropped because the prompt alone fills \
        the context (\(korean.dropped)), so \(Format.count(bilingual.labelledPositions)) positions are in the loss against \
        \(Format.count(korean.labelledPositions)); the held-out records are cut the same way, so the validation losses \
        are not on quite the same positions. \(Compare.difference(b, v, noise: r.noise)) \(prompts). This run's chapter 05 \
        therefore leaves the summarization test out (`--no-summaries`) and scores NSMC (the same one-shot prompt as the baseline's) \
        and the held-out instructions (each model in its own template). The paper's models read 2,048 positions with a \
        tokenizer that knows English, where the same lines cost little; at \(korean.contextLength) positions the template's \
        length is the finding.
        """)
        try run.figure(Compare.lossFigure(name: Output.lossFigure(a), title: "Korean vs bilingual template: loss on the responses", base + changed),
                       caption: "Solid: responses of training examples; dashed: held-out records.")
        return [a.rawValue, "`\(a.change)`", "small-high", "examples cut by the template's length; validation loss"]
    }

    // MARK: - Data repair: what the models answer to corrections

    func repairSection(_ run: ChapterRun, _ probe: RepairProbe, base: CellOutcome, changed: CellOutcome, noise: Double?) throws {
        let book = run.notebook
        let trainedRecords = probe.trainedRecords
        var prompts = try GrammarProbe.repairedRecords(repaired: probe.repaired, unrepaired: probe.unrepaired, file: probe.unrepairedFile)
        for i in prompts.indices {
            if let record = prompts[i].record { prompts[i].source += trainedRecords.contains(record) ? ", trained on" : ", held out" }
        }
        prompts += GrammarProbe.heldOut
        let maxNew = run.preset.maxNewTokens
        let baseAnswers = try GrammarProbe.answers(modelDirectory: base.modelDirectory, prompts: prompts, template: .korean, maxNewTokens: maxNew)
        let changedAnswers = try GrammarProbe.answers(modelDirectory: changed.modelDirectory, prompts: prompts, template: .korean, maxNewTokens: maxNew)
        var answers = Table(title: "Correction prompts: what each model answers (similarity to the expected answer, 1 = identical)",
                            columns: ["prompt", "sentence", "expected", "baseline (repaired data)", "--no-repair"])
        var sums = (0.0, 0.0)
        for (i, p) in prompts.enumerated() {
            let s0 = EditDistance.similarity(baseAnswers[i], p.expected), s1 = EditDistance.similarity(changedAnswers[i], p.expected)
            sums.0 += s0; sums.1 += s1
            answers.add([p.source, Compare.short(p.input.isEmpty ? p.instruction : p.input), Compare.short(p.expected),
                         "\(Compare.answer(baseAnswers[i])) (\(Format.fixed(s0, 2)))", "\(Compare.answer(changedAnswers[i])) (\(Format.fixed(s1, 2)))"])
        }
        let n = Double(max(prompts.count, 1))
        answers.notes = ["Greedy decoding, at most \(maxNew) new tokens, Korean template. Repaired records: the prompt holds the mistake chapter 01 put back; held-out prompts are ours, with the same kinds of mistakes."]
        try run.write(Output.repairAnswers, table: answers)
        book.text("""
        \(prompts.count - GrammarProbe.heldOut.count) records differ between the two data sets (the ones chapter 01 \
        repaired); in the `--no-repair` run they keep the translator's text, where the sentence to correct is already \
        correct and the answer copies it. \(Compare.difference(base, changed, noise: noise)) On the \(prompts.count) correction \
        prompts below, the mean similarity of the answer to the expected one is \(Format.fixed(sums.0 / n, 3)) for the \
        baseline and \(Format.fixed(sums.1 / n, 3)) without the repair.
        """)
        book.table(answers)
        try run.figure(Compare.lossFigure(name: Output.lossFigure(.repair), title: "Repaired vs unrepaired data: loss on the responses", [base, changed]),
                       caption: "Solid: responses of training examples; dashed: held-out records.")
    }

    // MARK: - The paper's learning rates from scratch

    func paperRatesSection(_ run: ChapterRun, base: [CellOutcome], changed: [CellOutcome], bases: Bases?, noise: Double?) throws {
        // What pretraining built, before and after tuning: the loss on chapter 00's held-out Wikipedia articles.
        let kept = (base + changed).compactMap { c -> String? in
            guard let after = c.heldOutWikipedia, let before = bases?.base(c.model)?.heldOut.perCharacter else { return nil }
            return "\(c.id) at \(Format.scientific(c.learningRate, 1)): \(Format.fixed(before, 3)) → \(Format.fixed(after, 3))"
        }
        run.notebook.text("""
        The paper tunes its pretrained models at \(Ablation.paperRateArguments.replacingOccurrences(of: ",", with: " and ")) and \
        reports the lower rate better (Table 4): rates sized to *nudge* weights that already encode a language. Our bases \
        are pretrained too, so the question is the paper's own: does the lower rate learn the instructions as well, and \
        keep more of what pretraining built? \(zip(base, changed).map { Compare.difference($0.0, $0.1, noise: noise) }.joined(separator: " ")) \
        Held-out Wikipedia loss per character, base → after tuning: \(kept.isEmpty ? "not measured" : kept.joined(separator: "; ")).
        """)
        for size in ["small", "large"] {
            let cells = (base + changed).filter { $0.id.hasPrefix(size) }
            guard !cells.isEmpty else { continue }
            try run.figure(Figure(name: Output.lossFigure(.paperRates) + "-" + size, title: "\(cells[0].model): course rates vs the paper's, from the base",
                                  xLabel: "optimizer step", yLabel: "training loss (nats/token)",
                                  series: cells.enumerated().map { i, c in
                                      Figure.Series("\(c.run == "baseline" ? "course" : "paper") \(Format.scientific(c.learningRate, 1))",
                                                    x: c.steps.map { Double($0.step) }, y: c.steps.map(\.loss), style: Compare.colour(i))
                                  }, extra: [Compare.keyBelow]),
                           caption: "Per-step training loss (on responses), every cell starting from its pretrained base.")
        }
    }

    func noPretrainingSection(_ run: ChapterRun, _ a: Ablation, _ base: [CellOutcome], _ changed: [CellOutcome], _ r: Readings) throws -> [String] {
        let (b, v) = (base[0], changed[0])
        let worth = v.finalValidationLoss - b.finalValidationLoss
        run.notebook.text("""
        The same instruction tuning, the same steps and rate, from random weights instead of the base: \
        \(Compare.difference(b, v, noise: r.noise)) Pretraining is worth \(Format.fixed(worth, 3)) nats per response token \
        on the held-out instructions (the course aims at 1.0 or more). A model from scratch has 1,000-odd instructions to \
        learn Korean from; the base brought \(r.bases.flatMap { $0.base(b.model) }.map { Format.count($0.tokensSeen) } ?? "its") \
        tokens of Wikipedia to them.
        """)
        try run.figure(Compare.lossFigure(name: Output.lossFigure(a), title: "From the base vs from random weights: loss on the responses", base + changed),
                       caption: "Solid: responses of training examples; dashed: held-out records.")
        return [a.rawValue, "`\(a.change)`", "small-high", "validation loss from the base vs from scratch"]
    }

    // MARK: - Model size

    func sizesSection(_ run: ChapterRun, base: [CellOutcome], changed: [CellOutcome]) throws {
        var shapes = Table(title: "The sweep's shapes: Polyglot-Ko's, scaled down", columns: ["model", "stands for", "width", "layers", "heads",
                                                                                             "head width", "rotary dims", "parameters", "the original's"])
        for (c, paper) in zip(changed, NeoXConfig.polyglotKo) {
            let path = c.modelDirectory + "/" + Checkpoint.configFile
            let config = try NeoXConfig(huggingFace: try JSON.parse(try FileIO.read(path), file: path), file: path)
            shapes.add([c.model, paper.name, "\(config.hiddenSize)", "\(config.numLayers)", "\(config.numHeads)", "\(config.headDim)",
                        "\(config.rotaryDims)", Format.count(config.parameterCount), Format.count(paper.parameterCount)])
        }
        run.notebook.table(shapes)
        try run.write("sizes-shapes.md", table: shapes)
        let paramsText = changed.map { "\($0.model) \(Format.count($0.parameters))" }.joined(separator: ", ")
        run.notebook.text("""
        Parameters: \(paramsText). The embedding and output matrices (2 × vocabulary × width) are a large share of \
        a small model, so the sweep spans a smaller range of sizes than the originals' 1 : 9.8. All at the course's high \
        rate, the same steps and data; the course pair (baseline) is shown beside them.
        """)
        func series(_ cells: [CellOutcome], _ title: String, _ value: (CellOutcome) -> Double, style: String) -> Figure.Series {
            Figure.Series(title, x: cells.map { Double($0.parameters) }, y: cells.map(value), style: style)
        }
        try run.figure(Figure(name: Output.sizeLoss, title: "Loss after training against model size", xLabel: "parameters (log scale)",
                              yLabel: "cross-entropy (nats/token)", kind: .linesPoints,
                              series: [series(changed, "sweep: validation", \.finalValidationLoss, style: "linewidth 2 pointtype 7"),
                                       series(changed, "sweep: train, responses", \.finalTrainResponseLoss, style: "dashtype 2 pointtype 5"),
                                       series(base, "course pair: validation", \.finalValidationLoss, style: "pointtype 9")],
                              logX: true, extra: [Compare.keyBelow]),
                       caption: "After the same number of steps on the same data. Dashed: responses of training examples.")
        let all = changed + base
        try run.figure(Figure(name: Output.sizeScores, title: "Scores against model size", xLabel: "parameters (log scale)",
                              yLabel: "score (0–1)", kind: .linesPoints,
                              series: [series(changed, "sweep: ROUGE-L F1", { $0.rougeL ?? .nan }, style: "pointtype 7"),
                                       series(changed, "sweep: NSMC accuracy, log-likelihood", { Double($0.nsmcLikelihood) / Double(max($0.nsmcCount, 1)) }, style: "pointtype 5"),
                                       series(changed, "sweep: NSMC accuracy, parsed answer", { Double($0.nsmcParsed) / Double(max($0.nsmcCount, 1)) }, style: "pointtype 9"),
                                       series(base, "course pair: ROUGE-L F1", { $0.rougeL ?? .nan }, style: "pointtype 4 dashtype 3"),
                                       series(base, "course pair: NSMC, log-likelihood", { Double($0.nsmcLikelihood) / Double(max($0.nsmcCount, 1)) }, style: "pointtype 6 dashtype 3")],
                              logX: true, extra: [Compare.keyBelow, "set yrange [0:1]", "set xrange [\(Double(all.map(\.parameters).min() ?? 1) / 1.5):\(Double(all.map(\.parameters).max() ?? 1) * 1.5)]"]),
                       caption: "ROUGE-L: mean F1 over the articles (syllables). NSMC: share of reviews right; 0.5 is the majority baseline of a balanced sample.")
    }
}

AblationsChapter.main()
