// The results of the grid: the table beside the paper's columns, grid.json for chapters 05 and 06, and the figures.
import Book
import Plumbing
import Repro

extension TrainingChapter {
    func showResults(_ run: ChapterRun, _ results: [CellResult], recipe: Recipe, validationCount: Int) throws {
        run.notebook.section("Results")
        let table = resultsTable(results, sample: max(validationCount, 8))
        run.notebook.table(table)
        try run.write(Output.results, table: table)
        try run.write(Artifacts.grid, Grid(cells: results.map(\.summary)))
        try drawFigures(run, results, clip: recipe.gradientClip)
    }

    func resultsTable(_ results: [CellResult], sample: Int) -> Table {
        var table = Table(title: "Training, per cell", columns: ["cell", "model", "parameters", "learning rate", "final train loss",
                                                                  "train loss, responses", "final validation loss", "tokens seen",
                                                                  "wall time", "tokens/s"])
        for r in results {
            let last = r.log.validation.last
            table.add([r.cell.id, r.cell.config.name, Format.count(r.cell.config.parameterCount), Format.scientific(r.cell.learningRate, 2),
                       Format.fixed(r.log.finalTrainLoss, 3), last.map { Format.fixed(Double($0.trainResponseLoss), 3) } ?? "—",
                       last.map { Format.fixed(Double($0.loss), 3) } ?? "—",
                       Format.count(r.log.tokensSeen), Format.fixed(r.log.seconds, 1) + " s",
                       Format.fixed(Double(r.log.tokensSeen) / max(r.log.seconds, 1e-9), 0)])
        }
        table.notes = ["Final train loss: mean over the last 5% of steps, on the positions trained on. Train loss, responses: "
                       + "after the last step, on the responses of the first \(sample) training examples (what "
                       + "the validation loss measures, on records the model trained on). Validation: response tokens of the "
                       + "held-out records. Wall time includes validation and checkpoints."]
        return table
    }

    func drawFigures(_ run: ChapterRun, _ results: [CellResult], clip: Double) throws {
        func trainSeries(_ r: CellResult) -> Figure.Series {
            Figure.Series("\(r.cell.id) train", x: r.log.steps.map { Double($0.step) }, y: r.log.steps.map { Double($0.loss) })
        }
        func validationSeries(_ r: CellResult) -> Figure.Series {
            Figure.Series("\(r.cell.id) validation", x: r.log.validation.map { Double($0.step) }, y: r.log.validation.map { Double($0.loss) },
                          style: "dashtype 2 linewidth 3")
        }
        try run.figure(Figure(name: Output.lossFigure, title: "학습 손실 (loss) — every cell", xLabel: "optimizer step",
                              yLabel: "cross-entropy (nats/token)", series: results.map(trainSeries) + results.map(validationSeries)),
                       caption: "Solid: training loss per step; dashed: validation loss on held-out records.")
        var sizes: [String] = []
        for r in results where !sizes.contains(r.cell.size) { sizes.append(r.cell.size) }
        for size in sizes {
            let cells = results.filter { $0.cell.size == size }
            try run.figure(Figure(name: "\(Output.lossBySizeFigure)-\(size)", title: "Loss, \(cells[0].cell.config.name): high vs low learning rate",
                                  xLabel: "optimizer step", yLabel: "cross-entropy (nats/token)",
                                  series: cells.map(trainSeries) + cells.map(validationSeries)))
        }
        try run.figure(Figure(name: Output.scheduleFigure, title: "Learning rate: linear warmup, cosine decay", xLabel: "optimizer step",
                              yLabel: "learning rate", series: results.filter { $0.cell.size == results[0].cell.size }.map {
                                  Figure.Series($0.cell.rate + " (\(Format.scientific($0.cell.learningRate, 2)))",
                                                x: $0.log.steps.map { Double($0.step) }, y: $0.log.steps.map(\.learningRate))
                              }))
        try run.figure(Figure(name: Output.gradNormFigure, title: "Gradient norm before clipping (clip at \(clip))",
                              xLabel: "optimizer step", yLabel: "global L2 norm", series: results.map {
                                  Figure.Series($0.cell.id, x: $0.log.steps.map { Double($0.step) }, y: $0.log.steps.map(\.gradNorm))
                              }, logY: true))
    }
}
