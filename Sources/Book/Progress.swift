import Foundation
import Plumbing
import Repro

/// A progress line for long loops: count, rate and time left. On a terminal it redraws one line; in a log (CI, a
/// pipe) it prints a plain line every `interval` seconds so the log stays readable.
public final class Progress {
    let label: String
    let total: Int
    let unit: String
    let start = Date()
    var lastPrint = Date.distantPast
    let interval: TimeInterval
    let isTerminal = isatty(STDERR_FILENO) != 0

    public init(_ label: String, total: Int, unit: String = "it", interval: TimeInterval = 10) {
        self.label = label; self.total = total; self.unit = unit; self.interval = interval
    }

    /// Report `done` items finished; `note` is shown after the rate (e.g. the current loss).
    public func update(_ done: Int, note: String = "") {
        let now = Date()
        let final = done >= total
        guard final || now.timeIntervalSince(lastPrint) >= (isTerminal ? 0.2 : interval) else { return }
        lastPrint = now
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let left = rate > 0 ? Double(total - done) / rate : 0
        let line = "\(label): \(done)/\(total) \(unit) · \(Format.fixed(rate, rate < 10 ? 2 : 0)) \(unit)/s · "
            + (final ? "done in \(Progress.clock(elapsed))" : "ETA \(Progress.clock(left))")
            + (note.isEmpty ? "" : " · " + note)
        if isTerminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line + (final ? "\n" : "")).utf8))
        } else {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(String(format: "%02d", s / 60 % 60))m" : s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
    }
}
