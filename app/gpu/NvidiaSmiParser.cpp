#include "NvidiaSmiParser.h"

#include <QRegularExpression>

namespace {

constexpr qint64 MiB = 1024 * 1024;

QList<QByteArray> lines(const QByteArray &text)
{
    QList<QByteArray> out;
    for (QByteArray line : text.split('\n')) {
        line = line.trimmed(); // also drops \r
        if (!line.isEmpty())
            out.append(line);
    }
    return out;
}

// "memory.total [MiB]" -> "memory.total"
QString fieldName(const QByteArray &header)
{
    QString name = QString::fromUtf8(header).trimmed();
    const qsizetype bracket = name.indexOf(QLatin1Char('['));
    if (bracket > 0)
        name = name.left(bracket).trimmed();
    return name;
}

bool isUnknown(const QString &v)
{
    return v.isEmpty() || v.startsWith(QLatin1Char('[')) || v == QLatin1String("N/A")
           || v.compare(QLatin1String("Unknown Error"), Qt::CaseInsensitive) == 0;
}

// The leading number of "72.97 W", "0 %", "81559"; NaN-free: false when there is none.
bool number(const QString &v, double *out)
{
    if (isUnknown(v))
        return false;
    const QString token = v.section(QLatin1Char(' '), 0, 0, QString::SectionSkipEmpty);
    bool ok = false;
    const double d = token.toDouble(&ok);
    if (!ok || d < 0)
        return false;
    *out = d;
    return true;
}

int intValue(const QString &v)
{
    double d = 0;
    return number(v, &d) ? qRound(d) : -1;
}

qint64 mib(const QString &v)
{
    double d = 0;
    return number(v, &d) ? static_cast<qint64>(d) * MiB : -1;
}

double realValue(const QString &v)
{
    double d = 0;
    return number(v, &d) ? d : -1;
}

QString textValue(const QString &v)
{
    return isUnknown(v) ? QString() : v;
}

// Splits a CSV row; nvidia-smi does not quote, so a name containing ", " would add columns:
// those surplus columns are joined back into the name.
QStringList columns(const QByteArray &line, const QStringList &fields)
{
    QStringList cols;
    for (const QByteArray &c : line.split(','))
        cols.append(QString::fromUtf8(c).trimmed());
    const qsizetype nameAt = fields.indexOf(QStringLiteral("name"));
    while (cols.size() > fields.size() && nameAt >= 0 && nameAt + 1 < cols.size()) {
        cols[nameAt] += QStringLiteral(", ") + cols.at(nameAt + 1);
        cols.removeAt(nameAt + 1);
    }
    return cols;
}

bool looksLikeHeader(const QByteArray &line, const QStringList &knownFields)
{
    const QString first = fieldName(line.split(',').constFirst());
    return knownFields.contains(first) || first == QLatin1String("gpu_uuid")
           || first == QLatin1String("pid");
}

} // namespace

QStringList NvidiaSmiParser::identityFields()
{
    return {QStringLiteral("index"),
            QStringLiteral("uuid"),
            QStringLiteral("name"),
            QStringLiteral("pci.bus_id"),
            QStringLiteral("memory.total"),
            QStringLiteral("memory.used"),
            QStringLiteral("utilization.gpu"),
            QStringLiteral("utilization.memory"),
            QStringLiteral("temperature.gpu"),
            QStringLiteral("power.draw"),
            QStringLiteral("power.limit"),
            QStringLiteral("mig.mode.current"),
            QStringLiteral("driver_version"),
            QStringLiteral("clocks.sm")};
}

QStringList NvidiaSmiParser::liveFields()
{
    return {QStringLiteral("index"),           QStringLiteral("memory.used"),
            QStringLiteral("utilization.gpu"), QStringLiteral("utilization.memory"),
            QStringLiteral("temperature.gpu"), QStringLiteral("power.draw"),
            QStringLiteral("power.limit"),     QStringLiteral("clocks.sm")};
}

QList<GpuInfo> NvidiaSmiParser::parseQueryGpu(const QByteArray &csv, const QStringList &fields,
                                              QString *driverVersion)
{
    QList<QByteArray> rows = lines(csv);
    QStringList names = fields;
    if (!rows.isEmpty() && looksLikeHeader(rows.constFirst(), identityFields())) {
        names.clear();
        for (const QByteArray &h : rows.takeFirst().split(','))
            names.append(fieldName(h));
    }

    QList<GpuInfo> gpus;
    for (const QByteArray &row : std::as_const(rows)) {
        const QStringList cols = columns(row, names);
        GpuInfo g;
        for (qsizetype i = 0; i < names.size(); ++i) {
            const QString &field = names.at(i);
            const QString v = i < cols.size() ? cols.at(i) : QString();
            if (field == QLatin1String("index"))
                g.index = intValue(v);
            else if (field == QLatin1String("uuid"))
                g.uuid = textValue(v);
            else if (field == QLatin1String("name"))
                g.name = textValue(v);
            else if (field == QLatin1String("pci.bus_id"))
                g.pciBusId = textValue(v);
            else if (field == QLatin1String("memory.total"))
                g.memoryTotal = mib(v);
            else if (field == QLatin1String("memory.used"))
                g.memoryUsed = mib(v);
            else if (field == QLatin1String("utilization.gpu"))
                g.gpuUtil = intValue(v);
            else if (field == QLatin1String("utilization.memory"))
                g.memUtil = intValue(v);
            else if (field == QLatin1String("temperature.gpu"))
                g.temperature = intValue(v);
            else if (field == QLatin1String("power.draw"))
                g.powerDraw = realValue(v);
            else if (field == QLatin1String("power.limit")
                     || field == QLatin1String("enforced.power.limit"))
                g.powerLimit = realValue(v);
            else if (field == QLatin1String("clocks.sm"))
                g.smClock = intValue(v);
            else if (field == QLatin1String("mig.mode.current"))
                g.migMode = v == QLatin1String("Enabled")    ? GpuInfo::MigMode::Enabled
                            : v == QLatin1String("Disabled") ? GpuInfo::MigMode::Disabled
                                                             : GpuInfo::MigMode::Unknown;
            else if (field == QLatin1String("driver_version") && driverVersion
                     && driverVersion->isEmpty())
                *driverVersion = textValue(v);
        }
        if (g.index < 0)
            g.index = static_cast<int>(gpus.size()); // rows come in index order
        gpus.append(g);
    }
    return gpus;
}

QMap<QString, QList<GpuInfo::Process>> NvidiaSmiParser::parseComputeApps(const QByteArray &csv)
{
    QMap<QString, QList<GpuInfo::Process>> byGpu;
    const QStringList fields{QStringLiteral("gpu_uuid"), QStringLiteral("pid"),
                             QStringLiteral("used_memory")};
    for (const QByteArray &row : lines(csv)) {
        if (looksLikeHeader(row, fields))
            continue;
        const QStringList cols = columns(row, fields);
        if (cols.size() < 2 || isUnknown(cols.at(0)))
            continue;
        GpuInfo::Process p;
        double pid = 0;
        if (!number(cols.at(1), &pid))
            continue;
        p.pid = static_cast<qint64>(pid);
        p.usedMemory = cols.size() > 2 ? mib(cols.at(2)) : -1;
        byGpu[cols.at(0)].append(p);
    }
    return byGpu;
}

QMap<int, QList<GpuInfo::MigDevice>> NvidiaSmiParser::parseList(const QByteArray &text)
{
    static const QRegularExpression gpuLine(
        QStringLiteral(R"(^GPU\s+(\d+):\s*(.*?)\s*\(UUID:\s*([^)\s]+)\s*\))"));
    static const QRegularExpression migLine(
        QStringLiteral(R"(^(MIG\s+\S+)\s+Device\s+(\d+):\s*\(UUID:\s*([^)\s]+)\s*\))"));

    QMap<int, QList<GpuInfo::MigDevice>> byGpu;
    int gpu = -1;
    QString gpuName;
    for (const QByteArray &raw : lines(text)) {
        const QString line = QString::fromUtf8(raw);
        if (const auto m = gpuLine.match(line); m.hasMatch()) {
            gpu = m.captured(1).toInt();
            gpuName = m.captured(2);
            continue;
        }
        const auto m = migLine.match(line);
        if (!m.hasMatch() || gpu < 0)
            continue;
        GpuInfo::MigDevice d;
        d.index = m.captured(2).toInt();
        d.indexName = QString::number(gpu) + QLatin1Char(':') + QString::number(d.index);
        d.uuid = m.captured(3);
        d.name = gpuName.isEmpty() ? m.captured(1) : gpuName + QLatin1Char(' ') + m.captured(1);
        byGpu[gpu].append(d);
    }
    return byGpu;
}

QString NvidiaSmiParser::failureReason(const QByteArray &output)
{
    for (const QByteArray &line : lines(output)) {
        QString s = QString::fromUtf8(line);
        if (s.endsWith(QLatin1Char('.')))
            s.chop(1);
        return s;
    }
    return {};
}

QString NvidiaSmiParser::cudaVersion(const QByteArray &output)
{
    static const QRegularExpression pattern(
        QStringLiteral("(?:CUDA Version:\\s*|<cuda_version>\\s*)([0-9]+(?:\\.[0-9]+)*)"));
    return pattern.match(QString::fromUtf8(output)).captured(1);
}
