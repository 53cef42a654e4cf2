#include "GpuFlag.h"

#include "LaunchSpec.h"

namespace {

Error flagError(const QString &text, const QString &why, const QString &hint = {})
{
    return Error(Error::Code::Usage, QStringLiteral("--gpus %1").arg(text), why, hint);
}

} // namespace

Result<QStringList> GpuFlag::splitCsv(const QString &text)
{
    QStringList fields;
    QString field;
    int i = 0;
    const int n = text.size();
    if (n == 0)
        return Error(Error::Code::Usage, QStringLiteral("--gpus"),
                     QStringLiteral("the value is empty"));
    while (true) {
        field.clear();
        if (i < n && text.at(i) == QLatin1Char('"')) {
            ++i;
            bool closed = false;
            while (i < n) {
                const QChar c = text.at(i++);
                if (c != QLatin1Char('"')) {
                    field += c;
                } else if (i < n && text.at(i) == QLatin1Char('"')) {
                    field += c; // "" is a quote inside a quoted field
                    ++i;
                } else {
                    closed = true;
                    break;
                }
            }
            if (!closed || (i < n && text.at(i) != QLatin1Char(',')))
                return Error(Error::Code::Usage, QStringLiteral("--gpus %1").arg(text),
                             QStringLiteral("extraneous or missing \" in a quoted field"));
        } else {
            while (i < n && text.at(i) != QLatin1Char(',')) {
                const QChar c = text.at(i++);
                if (c == QLatin1Char('"'))
                    return Error(Error::Code::Usage, QStringLiteral("--gpus %1").arg(text),
                                 QStringLiteral("a \" may only open a field"));
                if (c == QLatin1Char('\n') || c == QLatin1Char('\r'))
                    return Error(Error::Code::Usage, QStringLiteral("--gpus %1").arg(text),
                                 QStringLiteral("the value must be one line"));
                field += c;
            }
        }
        fields << field;
        if (i >= n)
            break;
        ++i; // the comma
    }
    return fields;
}

QString GpuFlag::joinCsv(const QStringList &fields)
{
    QStringList out;
    for (const QString &field : fields) {
        const bool quote = field.contains(QLatin1Char(',')) || field.contains(QLatin1Char('"'))
                           || field.contains(QLatin1Char('\n')) || field.contains(QLatin1Char('\r'))
                           || field.startsWith(QLatin1Char(' '))
                           || field.startsWith(QLatin1Char('\t'));
        if (!quote) {
            out << field;
            continue;
        }
        QString quoted = field;
        quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
        out << QLatin1Char('"') + quoted + QLatin1Char('"');
    }
    return out.join(QLatin1Char(','));
}

Result<GpuFlag::Value> GpuFlag::parse(const QString &text)
{
    const auto fields = splitCsv(text);
    if (!fields)
        return fields.error();

    Value value;
    QStringList seen;
    bool haveCount = false;
    bool countFromBareField = false;
    int count = 1;
    bool haveDevices = false;
    QStringList devices;

    const auto parseCount = [&](const QString &word) -> Result<int> {
        if (word == QLatin1String("all"))
            return -1;
        bool ok = false;
        const int c = word.toInt(&ok);
        if (!ok)
            return flagError(
                text, QStringLiteral("'%1' is neither a count nor key=value").arg(word),
                QStringLiteral("Use all, a number, device=IDS, capabilities=CAPS or driver=NAME"));
        if (c == -1)
            return -1;
        if (c < 1)
            return flagError(text, QStringLiteral("the GPU count must be at least 1 or all"));
        return c;
    };

    for (const QString &field : fields.value()) {
        const int eq = field.indexOf(QLatin1Char('='));
        const QString key = eq < 0 ? QStringLiteral("count") : field.left(eq);
        const QString val = eq < 0 ? field : field.mid(eq + 1);
        if (seen.contains(key)) {
            // The usual slip: an unquoted device list, whose second id reads as a count.
            if (key == QLatin1String("count") && haveDevices)
                return flagError(text,
                                 QStringLiteral("a count and devices cannot be asked for together"),
                                 QStringLiteral("Quote a device list: --gpus '\"device=0,2\"'"));
            return flagError(text, QStringLiteral("the key '%1' is given more than once").arg(key));
        }
        seen << key;
        if (key == QLatin1String("count")) {
            const auto c = parseCount(val);
            if (!c)
                return c.error();
            haveCount = true;
            countFromBareField = eq < 0;
            count = c.value();
        } else if (key == QLatin1String("device")) {
            haveDevices = true;
            devices = val.split(QLatin1Char(','));
            for (const QString &id : devices) {
                if (id.isEmpty())
                    return flagError(text, QStringLiteral("a device id is empty"));
            }
        } else if (key == QLatin1String("capabilities")) {
            for (const QString &cap : val.split(QLatin1Char(','))) {
                if (cap.isEmpty())
                    return flagError(text, QStringLiteral("a capability is empty"));
                if (cap != QLatin1String("gpu") && !value.capabilities.contains(cap))
                    value.capabilities << cap;
            }
        } else if (key == QLatin1String("driver")) {
            value.driver = val;
        } else if (key == QLatin1String("options")) {
            return flagError(text, QStringLiteral("driver options are not supported by GPU Deck"));
        } else {
            return flagError(text, QStringLiteral("unexpected key '%1' in '%2'").arg(key, field));
        }
    }

    if (haveCount && haveDevices)
        return flagError(text, QStringLiteral("a count and devices cannot be asked for together"),
                         countFromBareField
                             ? QStringLiteral("Quote a device list: --gpus '\"device=0,2\"'")
                             : QString());
    // Without a count or devices the CLI asks for one GPU.
    if (haveDevices)
        value.gpus = GpuSelection::ofDevices(devices);
    else if (count == -1)
        value.gpus = GpuSelection::all();
    else
        value.gpus = GpuSelection::ofCount(count);
    return value;
}

void GpuFlag::Value::applyTo(LaunchSpec &spec) const
{
    spec.gpus = gpus;
    spec.capabilities = capabilities;
    spec.deviceDriver = driver;
}

QString GpuFlag::format(const LaunchSpec &spec)
{
    if (!spec.usesGpus() || spec.usesCdi())
        return {};
    QStringList fields;
    switch (spec.gpus.mode) {
    case GpuSelection::Mode::None: return {};
    case GpuSelection::Mode::All: fields << QStringLiteral("all"); break;
    case GpuSelection::Mode::Count:
    case GpuSelection::Mode::Free: // unresolved: docker's count is the nearest
        fields << QString::number(spec.gpus.count);
        break;
    case GpuSelection::Mode::Devices:
        fields << QStringLiteral("device=") + spec.gpus.devices.join(QLatin1Char(','));
        break;
    }
    QStringList caps = spec.requestCapabilities();
    caps.removeLast(); // "gpu": the CLI adds it
    if (!caps.isEmpty())
        fields << QStringLiteral("capabilities=") + caps.join(QLatin1Char(','));
    if (!spec.deviceDriver.isEmpty())
        fields << QStringLiteral("driver=") + spec.deviceDriver;
    return joinCsv(fields);
}
