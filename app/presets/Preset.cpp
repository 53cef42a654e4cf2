#include "Preset.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSet>

#include <cmath>

namespace {

const QStringList &knownKeys()
{
    // The documented order; the file is written in it.
    static const QStringList keys = {
        QStringLiteral("format"),        QStringLiteral("version"),      QStringLiteral("name"),
        QStringLiteral("image"),         QStringLiteral("command"),      QStringLiteral("gpus"),
        QStringLiteral("capabilities"),  QStringLiteral("deviceDriver"), QStringLiteral("runtime"),
        QStringLiteral("env"),           QStringLiteral("autoRemove"),   QStringLiteral("tty"),
        QStringLiteral("containerName"), QStringLiteral("shmSize"),      QStringLiteral("ipcMode"),
        QStringLiteral("binds"),         QStringLiteral("networkMode"),  QStringLiteral("ports"),
        QStringLiteral("engine"),        QStringLiteral("interactive"),  QStringLiteral("user"),
        QStringLiteral("workdir"),       QStringLiteral("entrypoint"),   QStringLiteral("ulimits")};
    return keys;
}

QString formatName()
{
    return QStringLiteral("gpudeck-preset");
}

class Reader
{
public:
    Reader(const QJsonObject &object, const QString &source)
        : m_object(object), m_source(source) { }

    Error error(const QString &why) const
    {
        return Error(Error::Code::Validation,
                     m_source.isEmpty() ? QStringLiteral("Cannot read the preset")
                                        : QStringLiteral("Cannot read the preset %1").arg(m_source),
                     why);
    }

    bool string(const char *key, QString *out)
    {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (v.isUndefined())
            return true;
        if (!v.isString()) {
            m_problem = QStringLiteral("\"%1\" must be a string").arg(QLatin1String(key));
            return false;
        }
        *out = v.toString();
        return true;
    }

    bool boolean(const char *key, bool *out)
    {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (v.isUndefined())
            return true;
        if (!v.isBool()) {
            m_problem = QStringLiteral("\"%1\" must be true or false").arg(QLatin1String(key));
            return false;
        }
        *out = v.toBool();
        return true;
    }

    bool strings(const QJsonObject &object, const char *key, QStringList *out)
    {
        const QJsonValue v = object.value(QLatin1String(key));
        if (v.isUndefined())
            return true;
        const QString problem =
            QStringLiteral("\"%1\" must be a list of strings").arg(QLatin1String(key));
        if (!v.isArray()) {
            m_problem = problem;
            return false;
        }
        QStringList list;
        for (const QJsonValue &item : v.toArray()) {
            if (!item.isString()) {
                m_problem = problem;
                return false;
            }
            list << item.toString();
        }
        *out = list;
        return true;
    }
    bool strings(const char *key, QStringList *out) { return strings(m_object, key, out); }

    bool gpus(GpuSelection *out)
    {
        const QJsonValue v = m_object.value(QStringLiteral("gpus"));
        if (v.isUndefined())
            return true;
        const QJsonObject gpus = v.toObject();
        GpuSelection::Mode mode;
        if (!v.isObject()
            || !GpuSelection::modeFromName(gpus.value(QStringLiteral("mode")).toString(), &mode)) {
            m_problem = QStringLiteral(
                "\"gpus\" must be an object whose \"mode\" is none, all, count, devices or free");
            return false;
        }
        GpuSelection selection;
        selection.mode = mode;
        if (selection.hasCount()) {
            const QJsonValue count = gpus.value(QStringLiteral("count"));
            const double c = count.toDouble(-1);
            if (!count.isDouble() || c != std::floor(c) || c < 1 || c > 1024) {
                m_problem = QStringLiteral(
                    "\"gpus\".\"count\" must be a whole number of at least 1");
                return false;
            }
            selection.count = static_cast<int>(c);
        } else if (mode == GpuSelection::Mode::Devices) {
            if (!gpus.value(QStringLiteral("devices")).isArray()) {
                m_problem = QStringLiteral("\"gpus\".\"devices\" must be a list of strings");
                return false;
            }
            if (!strings(gpus, "devices", &selection.devices))
                return false;
        }
        *out = selection;
        return true;
    }

    const QString &problem() const { return m_problem; }

private:
    const QJsonObject &m_object;
    QString m_source;
    QString m_problem;
};

QByteArray compact(const QJsonValue &value)
{
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

} // namespace

Preset::Preset(QString name, LaunchSpec spec) : m_name(std::move(name)), m_spec(std::move(spec)) { }

void Preset::setExtras(const QJsonObject &extras)
{
    m_extras = extras;
    for (const QString &key : knownKeys())
        m_extras.remove(key);
}

Result<Preset> Preset::fromJson(const QByteArray &bytes, const QString &source)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parseError);
    const QJsonObject empty;
    if (parseError.error != QJsonParseError::NoError)
        return Reader(empty, source)
            .error(QStringLiteral("it is not valid JSON (%1 at byte %2)")
                       .arg(parseError.errorString())
                       .arg(parseError.offset));
    if (!doc.isObject())
        return Reader(empty, source).error(QStringLiteral("it is not a JSON object"));
    return fromJsonObject(doc.object(), source);
}

Result<Preset> Preset::fromJsonObject(const QJsonObject &object, const QString &source)
{
    Reader reader(object, source);
    if (object.value(QStringLiteral("format")).toString() != formatName())
        return reader.error(
            QStringLiteral("it is not a GPU Deck preset (\"format\" is not \"gpudeck-preset\")"));
    const QJsonValue version = object.value(QStringLiteral("version"));
    const double v = version.toDouble(-1);
    if (!version.isDouble() || v != std::floor(v) || v < 1)
        return reader.error(
            QStringLiteral("\"version\" must be a format version number such as 1"));
    if (v > FormatVersion)
        return reader
            .error(QStringLiteral(
                       "it was written by a newer GPU Deck (format version %1); this version "
                       "reads version %2")
                       .arg(QString::number(v, 'f', 0))
                       .arg(FormatVersion))
            .withHint(QStringLiteral("Update GPU Deck"));

    Preset preset;
    LaunchSpec &spec = preset.m_spec;
    if (!reader.string("name", &preset.m_name))
        return reader.error(reader.problem());
    if (preset.m_name.trimmed().isEmpty())
        return reader.error(QStringLiteral("it has no \"name\""));
    if (!reader.string("image", &spec.image))
        return reader.error(reader.problem());
    if (spec.image.trimmed().isEmpty())
        return reader.error(QStringLiteral("it has no \"image\""));

    QStringList capabilities;
    QStringList entrypoint;
    const bool ok = reader.strings("command", &spec.command) && reader.gpus(&spec.gpus)
                    && reader.strings("capabilities", &capabilities)
                    && reader.string("deviceDriver", &spec.deviceDriver)
                    && reader.string("runtime", &spec.runtime) && reader.strings("env", &spec.env)
                    && reader.boolean("autoRemove", &spec.autoRemove)
                    && reader.boolean("tty", &spec.tty)
                    && reader.string("containerName", &spec.containerName)
                    && reader.string("shmSize", &spec.shmSize)
                    && reader.string("ipcMode", &spec.ipcMode)
                    && reader.strings("binds", &spec.binds)
                    && reader.string("networkMode", &spec.networkMode)
                    && reader.strings("ports", &spec.ports)
                    && reader.string("engine", &preset.m_engine)
                    && reader.boolean("interactive", &spec.interactive)
                    && reader.string("user", &spec.user) && reader.string("workdir", &spec.workdir)
                    && reader.strings("entrypoint", &entrypoint)
                    && reader.strings("ulimits", &spec.ulimits);
    if (!ok)
        return reader.error(reader.problem());
    if (!entrypoint.isEmpty()) // [] or absent: the image's own
        spec.entrypoint = entrypoint;
    // "gpu" is implied; keep the others in the user's order.
    for (const QString &cap : capabilities) {
        if (cap != QLatin1String("gpu") && !spec.capabilities.contains(cap))
            spec.capabilities << cap;
    }
    preset.setExtras(object);
    return preset;
}

QJsonObject Preset::toJson() const
{
    QJsonObject object = m_extras;
    object.insert(QStringLiteral("format"), formatName());
    object.insert(QStringLiteral("version"), FormatVersion);
    object.insert(QStringLiteral("name"), m_name);
    object.insert(QStringLiteral("image"), m_spec.image);
    object.insert(QStringLiteral("command"), QJsonArray::fromStringList(m_spec.command));
    QJsonObject gpus{{QStringLiteral("mode"), GpuSelection::modeName(m_spec.gpus.mode)}};
    if (m_spec.gpus.hasCount())
        gpus.insert(QStringLiteral("count"), m_spec.gpus.count);
    else if (m_spec.gpus.mode == GpuSelection::Mode::Devices)
        gpus.insert(QStringLiteral("devices"), QJsonArray::fromStringList(m_spec.gpus.devices));
    object.insert(QStringLiteral("gpus"), gpus);
    object.insert(QStringLiteral("capabilities"),
                  QJsonArray::fromStringList(QStringList{QStringLiteral("gpu")}
                                             + m_spec.capabilities));
    object.insert(QStringLiteral("deviceDriver"), m_spec.deviceDriver);
    object.insert(QStringLiteral("runtime"), m_spec.runtime);
    object.insert(QStringLiteral("env"), QJsonArray::fromStringList(m_spec.env));
    object.insert(QStringLiteral("autoRemove"), m_spec.autoRemove);
    object.insert(QStringLiteral("tty"), m_spec.tty);
    object.insert(QStringLiteral("containerName"), m_spec.containerName);
    object.insert(QStringLiteral("shmSize"), m_spec.shmSize);
    object.insert(QStringLiteral("ipcMode"), m_spec.ipcMode);
    object.insert(QStringLiteral("binds"), QJsonArray::fromStringList(m_spec.binds));
    // Not in the documented format: written only when used, so format-1 readers see no change.
    if (!m_spec.networkMode.isEmpty())
        object.insert(QStringLiteral("networkMode"), m_spec.networkMode);
    // Optional: written only when the launch publishes ports.
    if (!m_spec.ports.isEmpty())
        object.insert(QStringLiteral("ports"), QJsonArray::fromStringList(m_spec.ports));
    // How the process runs: written only when used.
    if (m_spec.interactive)
        object.insert(QStringLiteral("interactive"), true);
    if (!m_spec.user.isEmpty())
        object.insert(QStringLiteral("user"), m_spec.user);
    if (!m_spec.workdir.isEmpty())
        object.insert(QStringLiteral("workdir"), m_spec.workdir);
    if (m_spec.entrypoint && !m_spec.entrypoint->isEmpty())
        object.insert(QStringLiteral("entrypoint"), QJsonArray::fromStringList(*m_spec.entrypoint));
    if (!m_spec.ulimits.isEmpty())
        object.insert(QStringLiteral("ulimits"), QJsonArray::fromStringList(m_spec.ulimits));
    // Optional too: "" or absent keeps the usual engine resolution.
    if (!m_engine.isEmpty())
        object.insert(QStringLiteral("engine"), m_engine);
    return object;
}

QByteArray Preset::toFileBytes() const
{
    const QJsonObject object = toJson();
    QByteArray out = "{\n";
    bool first = true;
    const auto add = [&](const QString &key) {
        if (!first)
            out += ",\n";
        first = false;
        out += "    " + compact(key) + ": " + compact(object.value(key));
    };
    for (const QString &key : knownKeys()) {
        if (object.contains(key))
            add(key);
    }
    for (auto it = m_extras.constBegin(); it != m_extras.constEnd(); ++it)
        add(it.key());
    out += "\n}\n";
    return out;
}

QString Preset::checkName(const QString &name)
{
    if (name.trimmed().isEmpty())
        return QStringLiteral("a preset needs a name");
    if (name != name.trimmed())
        return QStringLiteral("a preset name may not start or end with white space");
    if (name.size() > 200)
        return QStringLiteral("a preset name may have at most 200 characters");
    for (const QChar c : name) {
        if (c.category() == QChar::Other_Control)
            return QStringLiteral("a preset name may not contain control characters");
    }
    return {};
}

bool Preset::operator==(const Preset &other) const
{
    return m_name == other.m_name && m_spec == other.m_spec && m_engine == other.m_engine
           && m_extras == other.m_extras;
}
