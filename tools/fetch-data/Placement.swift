// Fetching one data set and putting it where the chapters read it, so that they see all of it or none of it.
//
// Every file lands under <data>/.incoming/<folder>/ first, a place no chapter reads. Each is checked against the
// list (sha256, bytes, records) as soon as it is there; SHA256SUMS and SOURCE.md are written beside them; then one
// rename(2) moves the whole folder to <data>/<folder>. A mismatch, a missing file or a transfer cut short (by the
// network, a kill, a full disk) leaves nothing under <data>/<folder>: at most .incoming, which the next run removes.
import Foundation
import Plumbing

/// A mirror: a data folder's layout, served at a URL (http, https, file) or read from a folder. It serves every file
/// of the list at <base>/<folder>/<path>, so a copy of any data folder is a mirror as it is.
struct Mirror: Equatable {
    var base: String

    init(_ text: String, currentDirectory: String = FileManager.default.currentDirectoryPath) throws {
        if text.contains("://") {
            base = text
        } else {
            let absolute = text.hasPrefix("/") ? text : currentDirectory + "/" + text
            guard FileIO.isDirectory(absolute) else {
                throw FileError(path: text, problem: "no such folder: a mirror is a URL (https://, http://, file://) or a folder laid out like a data folder")
            }
            base = "file://" + Mirror.percentEncoded(absolute)
        }
        while base.hasSuffix("/") { base.removeLast() }
    }

    func url(_ relativePath: String) -> String { base + "/" + Mirror.percentEncoded(relativePath) }

    /// A path as a URL path: every byte but unreserved characters and "/" as %XX.
    static func percentEncoded(_ path: String) -> String {
        path.utf8.map { byte in
            let c = Character(Unicode.Scalar(byte))
            if byte < 0x80 && (c.isLetter || c.isNumber || "-._~/".contains(c)) { return String(c) }
            let hex = String(byte, radix: 16, uppercase: true)
            return "%" + (hex.count == 1 ? "0" : "") + hex
        }.joined()
    }
}

struct Placed {
    var files: [(file: ListedFile, measured: Measured)]
    var standIn: Bool
    var notFound: [String]      // why the published files were not taken, when a stand-in was
}

enum PlacementFailure: Error {
    case unreachable(String)    // stop the whole step: nothing else will get through either
    case failed(String)         // this data set could not be placed; nothing of it was
}

struct Placement {
    var dataDirectory: String
    var mirror: Mirror?
    var date: String

    static let incomingName = ".incoming"
    var incoming: String { dataDirectory + "/" + Placement.incomingName }

    /// Where `file` of `set` is fetched from: the mirror, else its own source (nil when it has none).
    func url(of file: ListedFile, in set: DataSet) -> String? {
        if let mirror { return mirror.url(set.folder + "/" + file.path) }
        return file.origin.url
    }

    var sourceDescription: String { mirror.map { "the mirror \($0.base)" } ?? "the canonical repositories" }

    /// Fetch, check and place `set`: its published files if the source has them, else its first stand-in it has.
    func fetch(_ set: DataSet) throws(PlacementFailure) -> Placed {
        let staging = incoming + "/" + set.folder
        defer { removeEmptyFolders(from: FileIO.dirname(of: staging), upTo: dataDirectory) }
        var notFound: [String] = []
        for (index, group) in ([set.files] + set.standIns.map { [$0] }).enumerated() {
            remove(staging)
            let urls = group.map { url(of: $0, in: set) }
            guard !urls.contains(nil) else {
                notFound.append("\(group.map(\.path).joined(separator: ", ")) has no public source (only a mirror has it)")
                continue
            }
            var fetched: [(file: ListedFile, measured: Measured)] = []
            for (file, url) in zip(group, urls.compactMap { $0 }) {
                do {
                    fetched.append((file, try fetchOne(file, from: url, into: staging, set: set)))
                } catch .notFound(let message) {
                    notFound.append(message)
                    break
                } catch {
                    remove(staging)
                    throw error.placementFailure(set)
                }
            }
            guard fetched.count == group.count else { continue }
            do {
                try place(set, fetched, from: staging, standIn: index > 0)
            } catch {
                remove(staging)
                throw .failed("\(set.folder)/ could not be placed: \(error)")
            }
            return Placed(files: fetched, standIn: index > 0, notFound: notFound)
        }
        remove(staging)
        throw .failed("\(set.folder)/ is not at \(sourceDescription): \(notFound.joined(separator: "; ")); nothing of it was placed")
    }

    enum OneFileFailure: Error {
        case notFound(String), transfer(TransferFailure), mismatch(String), local(String)

        func placementFailure(_ set: DataSet) -> PlacementFailure {
            switch self {
            case .transfer(.unreachable(let message)): return .unreachable(message)
            case .transfer(let failure):
                return .failed("\(failure.message); nothing of \(set.folder)/ was placed")
            case .mismatch(let message), .local(let message), .notFound(let message):
                return .failed(message + "; nothing of \(set.folder)/ was placed")
            }
        }
    }

    /// Download one file into the staging folder and check it there.
    func fetchOne(_ file: ListedFile, from url: String, into staging: String, set: DataSet) throws(OneFileFailure) -> Measured {
        let target = staging + "/" + file.path
        do { try FileIO.makeDirectories(FileIO.dirname(of: target)) } catch { throw .local("\(error)") }
        do { try Transfer.download(url, to: target) } catch .notFound(let message) {
            throw .notFound(message)
        } catch { throw .transfer(error) }
        let measured: Measured
        do { measured = try Verification.measure(target, counting: file.records) } catch { throw .local("\(error)") }
        let problems = Verification.problems(file, measured)
        guard problems.isEmpty else {
            throw .mismatch("\(set.folder)/\(file.path) from \(url) is not the published file: \(problems.joined(separator: "; "))")
        }
        return measured
    }

    /// Write the record beside the checked files, flush them to disk, and move the folder into place in one rename.
    func place(_ set: DataSet, _ fetched: [(file: ListedFile, measured: Measured)], from staging: String, standIn: Bool) throws {
        try FileIO.writeAtomically(staging + "/" + Record.sumsName,
                                   text: Record.sumsText(fetched.map { ($0.file.path, $0.measured.sha256) }))
        try FileIO.writeAtomically(staging + "/" + Record.sourceName,
                                   text: Record.sourceText(set, placed: fetched, source: sourceDescription, standIn: standIn, date: date))
        for (file, _) in fetched { try syncToDisk(staging + "/" + file.path) }
        let target = dataDirectory + "/" + set.folder
        // The survey found no file there; an empty folder (or tree of them) left by hand is replaced.
        if FileIO.exists(target) {
            guard Surveying.files(under: target).isEmpty else { throw FileError(path: target, problem: "files appeared there while fetching") }
            try FileManager.default.removeItem(atPath: target)
        }
        try FileIO.makeDirectories(FileIO.dirname(of: target))
        guard rename(staging, target) == 0 else {
            throw FileError(path: target, problem: "cannot move \(staging) there: \(String(cString: strerror(errno)))")
        }
    }

    /// curl does not fsync: do it, so a crash after the rename cannot leave a placed file that is empty on disk.
    func syncToDisk(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw FileError(path: path, problem: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw FileError(path: path, problem: "fsync failed: \(String(cString: strerror(errno)))") }
    }

    func remove(_ path: String) {
        if FileIO.exists(path) { try? FileManager.default.removeItem(atPath: path) }
    }

    /// rmdir `folder` and its parents while they are empty, stopping at `stop`.
    func removeEmptyFolders(from folder: String, upTo stop: String) {
        var current = folder
        while current.count > stop.count && current.hasPrefix(stop) && rmdir(current) == 0 {
            current = FileIO.dirname(of: current)
        }
    }
}
