#include "presets/PresetEngine.h"

#include "engine/DockerClient.h"
#include "engine/Endpoint.h"
#include "engines/EngineSelection.h"
#include "fleet/Engine.h"
#include "presets/Preset.h"

#include <QSettings>

namespace {

constexpr auto TrustedKey = QLatin1String("engines/trusted");

} // namespace

PresetEngine::PresetEngine(EngineSelection *selection, Ask ask, QObject *parent)
    : QObject(parent), m_selection(selection), m_ask(std::move(ask))
{
    connect(selection, &EngineSelection::selected, this, [this]() { m_alias.clear(); });
}

QString PresetEngine::name() const
{
    Engine *engine = m_selection ? m_selection->engine() : nullptr;
    if (!engine || !engine->client())
        return {};
    if (!m_alias.isEmpty())
        return m_alias;
    const QString source = engine->source();
    if (source == QLatin1String("context") || source == QLatin1String("podman"))
        return engine->name();
    if (source == QLatin1String("--host") || source == QLatin1String("added")
        || source == QLatin1String("preset"))
        return engine->url();
    return {};
}

void PresetEngine::follow(const Preset &preset)
{
    if (preset.engine().isEmpty() || !m_selection)
        return;
    const Result<Endpoint> endpoint = EndpointResolver::resolveForPreset({}, preset.engine());
    if (!endpoint) {
        emit message(endpoint.error().message());
        return;
    }
    const Endpoint &target = endpoint.value();
    Engine *engine = m_selection->engine();
    if (engine && engine->client() && engine->client()->endpoint().url == target.url)
        return;
    const QString &alias = preset.engine(); // the lambda below keeps a copy
    if (QSettings().value(TrustedKey).toStringList().contains(target.url)) {
        switchTo(target, alias);
        return;
    }
    const QString where = target.isRemote() ? tr("on the host %1").arg(target.host)
                                            : tr("on this machine");
    m_ask(QStringLiteral("engineOffer"), tr("Switch engine?"),
          tr("Preset \"%1\" runs on the engine at %2 (%3), %4. Whoever can use an engine "
             "is root on its host. Switch to it?")
              .arg(preset.name(), target.url, target.source, where),
          tr("&Switch"), [this, target, alias]() {
              QSettings settings;
              QStringList trusted = settings.value(TrustedKey).toStringList();
              trusted.append(target.url);
              settings.setValue(TrustedKey, trusted);
              switchTo(target, alias);
          });
}

void PresetEngine::switchTo(const Endpoint &target, const QString &alias)
{
    m_selection->selectEndpoint(target);
    m_alias = alias;
    emit nameChanged(name());
}
