#include "ProcessOwners.h"

#include "engine/ContainerDirectory.h"

#include <QFile>
#include <QSet>

#include <pwd.h>
#include <unistd.h>

#include <vector>

namespace {

// The initial PID namespace's inode (PROC_PID_INIT_INO): the driver reports PIDs as seen there.
const QString kInitPidNamespace = QStringLiteral("pid:[4026531836]");
constexpr qsizetype kCommandMax = 200;

QByteArray readSmall(const QString &path, qint64 max = 8192)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return {};
    return f.read(max);
}

// Field 22 of /proc/PID/stat, counted after the command in parentheses (which may hold spaces).
qint64 startTimeOf(const QByteArray &stat)
{
    const qsizetype close = stat.lastIndexOf(')');
    if (close < 0)
        return -1;
    const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
    // After ")": state is field 3, so starttime (22) is at 22 - 3 = 19.
    return fields.size() > 19 ? fields.at(19).toLongLong() : -1;
}

QString commandLine(QByteArray cmdline)
{
    while (cmdline.endsWith('\0'))
        cmdline.chop(1);
    cmdline.replace('\0', ' ');
    QString text = QString::fromUtf8(cmdline).simplified();
    if (text.size() > kCommandMax)
        text = text.left(kCommandMax - 1) + QChar(0x2026);
    return text;
}

} // namespace

ProcessOwners::ProcessOwners(const QString &procRoot)
{
    setProcRoot(procRoot);
}

void ProcessOwners::setProcRoot(const QString &procRoot)
{
    m_procRoot = procRoot;
    m_cache.clear();
    m_namespaceReason.clear();
    if (procRoot == QLatin1String("/proc")) {
        char buf[64] = {};
        const ssize_t n = ::readlink("/proc/self/ns/pid", buf, sizeof buf - 1);
        if (n > 0 && QLatin1String(buf, n) != kInitPidNamespace) {
            m_namespaceReason = QStringLiteral("GPU Deck runs in another PID namespace than the "
                                               "driver, so the driver's PIDs mean nothing here");
        }
    }
}

void ProcessOwners::setDirectory(ContainerDirectory *directory)
{
    m_directory = directory;
}

ContainerDirectory *ProcessOwners::directory() const
{
    return m_directory;
}

QList<qint64> ProcessOwners::pids(const GpuSnapshot &snapshot)
{
    QList<qint64> out;
    for (const GpuInfo &g : snapshot.gpus) {
        for (const GpuInfo::Process &p : g.processes) {
            if (p.pid > 0 && !out.contains(p.pid))
                out.append(p.pid);
        }
    }
    return out;
}

QString ProcessOwners::userName(uint uid)
{
    const auto it = m_users.constFind(uid);
    if (it != m_users.constEnd())
        return it.value();
    QString name = QString::number(uid);
    passwd pw = {};
    passwd *result = nullptr;
    std::vector<char> buf(4096);
    if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &result) == 0 && result && result->pw_name)
        name = QString::fromLocal8Bit(result->pw_name);
    m_users.insert(uid, name);
    return name;
}

ProcessOwners::Facts ProcessOwners::local(qint64 pid)
{
    const QString dir = m_procRoot + QLatin1Char('/') + QString::number(pid) + QLatin1Char('/');
    const QByteArray stat = readSmall(dir + QStringLiteral("stat"));
    Facts f;
    if (stat.isEmpty()) {
        m_cache.remove(pid);
        return f; // applyFacts() says why
    }
    const qint64 start = startTimeOf(stat);
    const auto cached = m_cache.constFind(pid);
    if (cached != m_cache.constEnd() && cached->startTime == start)
        return cached.value();

    f.exists = true;
    f.startTime = start;
    f.container = CgroupParser::containerOf(readSmall(dir + QStringLiteral("cgroup")));
    const QByteArray status = readSmall(dir + QStringLiteral("status"));
    const qsizetype uidAt = status.indexOf("\nUid:");
    if (uidAt >= 0) {
        const QByteArray line = status.mid(uidAt + 5, status.indexOf('\n', uidAt + 1) - uidAt - 5);
        bool ok = false;
        const uint uid = line.simplified().split(' ').value(0).toUInt(&ok);
        if (ok)
            f.user = userName(uid);
    }
    f.command = commandLine(readSmall(dir + QStringLiteral("cmdline"), 4096));
    if (f.command.isEmpty())
        f.command = QString::fromUtf8(readSmall(dir + QStringLiteral("comm"))).trimmed();
    m_cache.insert(pid, f);
    return f;
}

void ProcessOwners::annotate(GpuSnapshot &snapshot)
{
    readProcesses(snapshot);
    nameContainers(snapshot);
}

void ProcessOwners::readProcesses(GpuSnapshot &snapshot)
{
    QHash<qint64, Facts> facts;
    const QList<qint64> all = pids(snapshot);
    for (qint64 pid : all) {
        if (!m_namespaceReason.isEmpty()) {
            Facts f;
            f.reason = m_namespaceReason;
            facts.insert(pid, f);
        } else {
            facts.insert(pid, local(pid));
        }
    }
    // Forget processes that left the GPUs.
    for (auto it = m_cache.begin(); it != m_cache.end();) {
        if (facts.contains(it.key()))
            ++it;
        else
            it = m_cache.erase(it);
    }
    applyFacts(snapshot, facts);
}

void ProcessOwners::applyFacts(GpuSnapshot &snapshot, const QHash<qint64, Facts> &facts) const
{
    for (GpuInfo &g : snapshot.gpus) {
        for (GpuInfo::Process &p : g.processes) {
            const Facts f = facts.value(p.pid);
            p.container = GpuInfo::Container();
            p.user.clear();
            p.command.clear();
            p.unknownReason.clear();
            if (!f.exists) {
                p.unknownReason =
                    !f.reason.isEmpty()
                        ? f.reason
                        : QStringLiteral(
                            "no such process on the GPU's host: it has ended, or it runs in "
                            "another PID namespace (a container with its own /proc, a VM)");
                continue;
            }
            if (f.container.isValid()) {
                p.container.id = f.container.id;
                p.container.engine = f.container.engine;
            }
            // The user and command of a container's process are kept too: the tooltip shows them.
            p.user = f.user;
            p.command = f.command;
        }
    }
}

QStringList ProcessOwners::nameContainers(GpuSnapshot &snapshot) const
{
    QStringList waiting;
    for (GpuInfo &g : snapshot.gpus) {
        for (GpuInfo::Process &p : g.processes) {
            if (!p.inContainer() || !m_directory)
                continue;
            const ContainerDirectory::Entry *e = m_directory->find(p.container.id);
            if (e) {
                p.container.name = e->name;
                p.container.image = e->image;
            } else if (!m_directory->isForeign(p.container.id)
                       && !waiting.contains(p.container.id)) {
                waiting.append(p.container.id);
            }
            p.container.yours = m_directory->isYours(p.container.id);
        }
    }
    return waiting;
}

QStringList ProcessOwners::remoteCommand(const QList<qint64> &pids)
{
    // Per PID: a record separator, the PID, the start time, the user; then the cgroup file and
    // the command line, each after a unit separator. Nothing for a PID that is not there.
    const QString script = QStringLiteral(
        "for p do [ -r /proc/$p/stat ] || continue; "
        "printf '\\036%s\\n' \"$p\"; "
        "sed 's/.*) //' /proc/$p/stat | cut -d' ' -f20; "
        "ps -o user= -p \"$p\"; "
        "printf '\\037'; cat /proc/$p/cgroup; "
        "printf '\\037'; tr '\\000' ' ' < /proc/$p/cmdline; echo; "
        "done 2>/dev/null; true");
    QStringList argv{QStringLiteral("sh"), QStringLiteral("-c"), script, QStringLiteral("sh")};
    for (qint64 pid : pids)
        argv.append(QString::number(pid));
    return argv;
}

QHash<qint64, ProcessOwners::Facts> ProcessOwners::parseRemote(const QByteArray &output)
{
    QHash<qint64, Facts> out;
    const QList<QByteArray> records = output.split('\036');
    for (const QByteArray &record : records) {
        const QList<QByteArray> parts = record.split('\037');
        if (parts.size() < 3)
            continue;
        const QList<QByteArray> head = parts.at(0).split('\n');
        bool ok = false;
        const qint64 pid = head.value(0).trimmed().toLongLong(&ok);
        if (!ok || pid <= 0)
            continue;
        Facts f;
        f.exists = true;
        f.startTime = head.value(1).trimmed().toLongLong();
        f.user = QString::fromUtf8(head.value(2).trimmed());
        f.container = CgroupParser::containerOf(parts.at(1));
        f.command = commandLine(parts.at(2).trimmed());
        out.insert(pid, f);
    }
    return out;
}
