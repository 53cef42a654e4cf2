#include "CliContext.h"
#include "Commands.h"
#include "EngineSession.h"
#include "ProcessIo.h"

#include "common/Error.h"
#include "engine/CdiSpecs.h"
#include "engine/ContainerDirectory.h"
#include "engine/DockerClient.h"
#include "fleet/Engine.h"
#include "gpu/GpuInventory.h"
#include "gpu/GpuMonitor.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>

#include <unistd.h>

// `gpudeck gpus [--json] [--watch [-n SECONDS]]`: the GPUs of the engine's host. A local engine's host is this machine;
// an ssh engine's host answers through its own nvidia-smi over the engine's ssh connection, any
// other remote engine's through nvidia-smi in a probe container there (GpuProbe).
// Without a driver: the table form prints one sentence on stderr ("no NVIDIA driver found: ...")
// and exits 1; the JSON form prints the snapshot anyway, its "error" object carrying the reason,
// and also exits 1, so scripts can read either. Never this machine's GPUs for another host.
// The engine's CDI devices are a separate fact: listed (top-level "cdiDevices") whether or not
// the GPUs could be read; an engine that cannot be asked leaves the list empty and says why in
// "cdiError", without changing the exit code. Each GPU process names its container (asked of the
// engine, one inspect per container) or its user and command.
// --watch reads every interval through a GpuMonitor (no CDI devices): on a terminal it redraws the
// table in the alternate screen until SIGINT/SIGTERM, then gives the screen back; otherwise it
// prints one table per read, each under a line with its time, for logs and pipes.
namespace {

struct CdiAnswer
{
    CdiInventory inventory;
    QString error; // the engine could not be asked
};

CdiAnswer readCdiDevices(CliContext &ctx, DockerClient &client)
{
    CdiAnswer answer;
    QObject context;
    client.info(&context, [&](const Result<EngineInfo> &info) {
        if (!info)
            answer.error = info.error().message();
        else
            answer.inventory = CdiInventory::forEngine(info.value(), !client.endpoint().isRemote());
        ctx.finish(0);
    });
    ctx.exec();
    return answer;
}

QString orDash(qint64 v, const QString &suffix = {})
{
    return v < 0 ? QStringLiteral("-") : QString::number(v) + suffix;
}

QString mib(qint64 bytes)
{
    return bytes < 0 ? QStringLiteral("-") : QString::number(bytes / (1024 * 1024));
}

QString watts(double w)
{
    return w < 0 ? QStringLiteral("-") : QString::number(w, 'f', 0);
}

QString memoryCell(const GpuInfo &g)
{
    if (g.memoryUsed < 0 && g.memoryTotal < 0)
        return QStringLiteral("-");
    return mib(g.memoryUsed) + QStringLiteral(" / ") + mib(g.memoryTotal) + QStringLiteral(" MiB");
}

QString powerCell(const GpuInfo &g)
{
    if (g.powerDraw < 0 && g.powerLimit < 0)
        return QStringLiteral("-");
    return watts(g.powerDraw) + QStringLiteral(" / ") + watts(g.powerLimit) + QStringLiteral(" W");
}

void printTable(QTextStream &out, const GpuSnapshot &s)
{
    out << "NVIDIA driver " << (s.driverVersion.isEmpty() ? QStringLiteral("?") : s.driverVersion)
        << ", CUDA " << (s.cudaVersion.isEmpty() ? QStringLiteral("?") : s.cudaVersion)
        << " (read through " << GpuSnapshot::sourceName(s.source) << ")\n";

    const QStringList head{QStringLiteral("GPU"),  QStringLiteral("NAME"),
                           QStringLiteral("UUID"), QStringLiteral("MEMORY"),
                           QStringLiteral("UTIL"), QStringLiteral("MEM UTIL"),
                           QStringLiteral("TEMP"), QStringLiteral("POWER"),
                           QStringLiteral("MIG")};
    QList<QStringList> rows{head};
    for (const GpuInfo &g : s.gpus) {
        rows.append({QString::number(g.index), g.name.isEmpty() ? QStringLiteral("?") : g.name,
                     g.uuid.isEmpty() ? QStringLiteral("?") : g.uuid, memoryCell(g),
                     orDash(g.gpuUtil, QStringLiteral("%")), orDash(g.memUtil, QStringLiteral("%")),
                     orDash(g.temperature, QStringLiteral("C")), powerCell(g),
                     GpuInfo::migModeName(g.migMode)});
    }
    QList<qsizetype> widths(head.size(), 0);
    for (const QStringList &r : std::as_const(rows))
        for (qsizetype c = 0; c < r.size(); ++c)
            widths[c] = qMax(widths[c], r.at(c).size());

    for (qsizetype i = 0; i < rows.size(); ++i) {
        const QStringList &r = rows.at(i);
        QString line;
        for (qsizetype c = 0; c < r.size(); ++c)
            line += r.at(c).leftJustified(widths[c] + 2);
        out << line.trimmed() << '\n';
        if (i == 0)
            continue;
        const GpuInfo &g = s.gpus.at(i - 1);
        if (!g.error.isEmpty())
            out << "    error: " << g.error << '\n';
        for (const GpuInfo::MigDevice &m : g.migDevices)
            out << "    MIG " << m.indexName << "  " << m.uuid << "  " << m.name << '\n';
        for (const GpuInfo::Process &p : g.processes)
            out << "    process " << p.pid << "  " << mib(p.usedMemory) << " MiB  "
                << p.ownerLabel() << '\n';
    }
}

QString watchHeader(double seconds, const GpuSnapshot &s)
{
    const QDateTime at = s.taken.isValid() ? s.taken.toLocalTime() : QDateTime::currentDateTime();
    return QStringLiteral("Every %1 s: gpudeck gpus    %2\n")
        .arg(QString::number(seconds, 'g', 4), at.toString(Qt::ISODate));
}

int watchGpus(CliContext &ctx, DockerClient &client, ContainerDirectory &directory, double seconds)
{
    const bool terminal = ::isatty(STDOUT_FILENO) == 1;
    GpuMonitor monitor;
    monitor.inventory()->setHost(Engine::gpuHostFor(&client));
    monitor.setContainerDirectory(&directory);
    monitor.setInterval(static_cast<int>(seconds * 1000));
    QDateTime printed; // without a terminal, a re-send with new names is no new snapshot
    QObject::connect(&monitor, &GpuMonitor::updated, &monitor, [&](const GpuSnapshot &s) {
        if (!terminal && s.taken == printed)
            return;
        printed = s.taken;
        QString text;
        QTextStream t(&text);
        t << watchHeader(seconds, s) << '\n';
        if (s.ok())
            printTable(t, s);
        else
            t << s.error.message() << '\n';
        t.flush();
        if (terminal) {
            // Home, each line cleared to its end, the rest of the screen cleared: no flicker.
            text.replace(QLatin1Char('\n'), QStringLiteral("\x1b[K\n"));
            ctx.out << "\x1b[H" << text << "\x1b[J";
        } else {
            ctx.out << text << '\n';
        }
        ctx.out.flush();
    });
    if (terminal) {
        ctx.out << "\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J"; // the alternate screen, no cursor
        ctx.out.flush();
    }
    const ProcessIo::StopSignals stop(&monitor, [&ctx]() { ctx.finish(0); });
    monitor.start();
    const int code = ctx.exec();
    monitor.pause();
    if (terminal) {
        ctx.out << "\x1b[?25h\x1b[?1049l";
        ctx.out.flush();
    }
    return code;
}

} // namespace

int gpusCommand(CliContext &ctx, const QStringList &args)
{
    bool json = false;
    bool watch = false;
    double seconds = 2.0; // as watch(1)
    bool intervalGiven = false;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args.at(i);
        if (a == QLatin1String("--json")) {
            json = true;
        } else if (a == QLatin1String("--watch")) {
            watch = true;
        } else if (a == QLatin1String("-n")) {
            bool ok = false;
            seconds = i + 1 < args.size() ? args.at(i + 1).toDouble(&ok) : 0;
            if (!ok || seconds < 0.1 || seconds > 86400)
                return ctx.usage(
                    QStringLiteral("gpus: -n takes the seconds between reads, from 0.1 to 86400"));
            intervalGiven = true;
            ++i;
        } else {
            return ctx.usage(QStringLiteral("gpus: unknown option \"%1\"").arg(a));
        }
    }
    if (intervalGiven && !watch)
        return ctx.usage(QStringLiteral("gpus: -n goes with --watch"));
    if (watch && json)
        return ctx.usage(QStringLiteral("gpus: --watch prints tables; leave out --json"));

    const Result<Endpoint> endpoint = EndpointResolver::resolve(ctx.host);
    if (!endpoint)
        return ctx.fail(endpoint.error(), 1);
    // One client: the CDI devices come from it and, for an ssh engine, the host's GPUs over its
    // ssh connection (up once the engine answered a ping).
    DockerClient client(endpoint.value());
    ContainerDirectory directory(&client);
    GpuSnapshot snapshot;
    Error error;
    if (endpoint.value().kind == Endpoint::Kind::Ssh) {
        QEventLoop loop;
        client.ping(&loop, [&](const Result<QString> &answer) {
            if (!answer)
                error = answer.error();
            loop.quit();
        });
        loop.exec();
    }
    if (watch) {
        if (error.isError())
            return ctx.fail(error, 1);
        return watchGpus(ctx, client, directory, seconds);
    }
    GpuInventory host;
    if (error.isError()) {
        snapshot.error = error;
    } else {
        host.setHost(Engine::gpuHostFor(&client));
        host.setContainerDirectory(&directory);
        snapshot = host.readBlocking();
        // Containers not named yet: one look-up for all of them, then name them.
        GpuSnapshot named = snapshot;
        const QStringList unnamed = host.owners().nameContainers(named);
        if (!unnamed.isEmpty()) {
            QEventLoop loop;
            directory.lookUp(unnamed, &loop, [&loop]() { loop.quit(); });
            loop.exec();
            host.owners().nameContainers(snapshot);
        }
    }
    const CdiAnswer cdi = readCdiDevices(ctx, client);

    if (json) {
        QJsonObject object = snapshot.toJson();
        object.insert(QStringLiteral("cdiDevices"), cdi.inventory.toJson());
        if (!cdi.error.isEmpty())
            object.insert(QStringLiteral("cdiError"), cdi.error);
        ctx.out << QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented));
        ctx.out.flush();
        return snapshot.ok() ? 0 : 1;
    }
    if (snapshot.ok())
        printTable(ctx.out, snapshot);
    if (!cdi.inventory.devices.isEmpty()) {
        ctx.out << "CDI devices of the engine:\n";
        for (const CdiDevice &device : cdi.inventory.devices)
            ctx.out << "    " << device.name << "  (" << device.source << ")\n";
    }
    ctx.out.flush();
    if (!snapshot.ok())
        return ctx.fail(snapshot.error, 1);
    return 0;
}
