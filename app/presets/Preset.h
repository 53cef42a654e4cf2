#pragma once

#include "common/Result.h"
#include "launch/LaunchSpec.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

// A named launch as stored in a preset file (format 1, ../shared/DESIGN.md). Fields this
// version does not know are kept verbatim so that a re-save does not lose them.
class Preset
{
public:
    static constexpr int FormatVersion = 1;

    Preset() = default;
    Preset(QString name, LaunchSpec spec);

    const QString &name() const { return m_name; }
    void setName(const QString &name) { m_name = name; }
    const LaunchSpec &spec() const { return m_spec; }
    LaunchSpec &spec() { return m_spec; }
    void setSpec(const LaunchSpec &spec) { m_spec = spec; }
    // Where it runs: a docker context name or an engine URL; empty for the usual resolution.
    const QString &engine() const { return m_engine; }
    void setEngine(const QString &engine) { m_engine = engine; }
    const QJsonObject &extras() const { return m_extras; }
    void setExtras(const QJsonObject &extras);

    // source names the file in error messages.
    static Result<Preset> fromJson(const QByteArray &bytes, const QString &source = {});
    static Result<Preset> fromJsonObject(const QJsonObject &object, const QString &source = {});
    QJsonObject toJson() const;
    // The file's bytes: the known fields in the documented order, then the extras.
    QByteArray toFileBytes() const;

    // Empty when name is usable as a preset name, else why not.
    static QString checkName(const QString &name);

    bool operator==(const Preset &other) const;
    bool operator!=(const Preset &other) const { return !(*this == other); }

private:
    QString m_name;
    LaunchSpec m_spec;
    QString m_engine;
    QJsonObject m_extras;
};
