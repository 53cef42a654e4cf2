#include "engines/EngineSelection.h"

#include "fleet/Engine.h"
#include "fleet/EngineRegistry.h"

#include <QSettings>

EngineSelection::EngineSelection(EngineRegistry *registry, QObject *parent)
    : QObject(parent), m_registry(registry)
{
    connect(m_registry, &EngineRegistry::engineRemoved, this, [this](Engine *engine) {
        if (engine != m_engine)
            return;
        Engine *next = m_registry->current() ? m_registry->current()
                                             : m_registry->engines().value(0);
        if (next)
            select(next);
    });
}

Engine *EngineSelection::engine() const
{
    return m_engine;
}

Engine *EngineSelection::restored() const
{
    Engine *current = m_registry->current();
    if (current
        && (current->source() == QLatin1String("--host")
            || current->source() == QLatin1String("DOCKER_HOST")))
        return current;
    QSettings settings;
    const QString url = settings.value(QStringLiteral("engines/selected")).toString();
    const QString name = settings.value(QStringLiteral("engines/selectedName")).toString();
    if (!url.isEmpty()) {
        const QList<Engine *> &engines = m_registry->engines();
        for (Engine *engine : engines) {
            if (engine->url() == url && engine->name() == name)
                return engine;
        }
        if (Engine *engine = m_registry->find(url))
            return engine;
    }
    return current ? current : m_registry->engines().value(0);
}

void EngineSelection::select(Engine *engine)
{
    if (!engine || engine == m_engine)
        return;
    if (m_engine)
        m_engine->setSelected(false);
    // connections to the previous engine end here: its late answers reach nobody
    delete m_context;
    m_context = new QObject(this);
    m_engine = engine;
    engine->setSelected(true);
    QSettings settings;
    settings.setValue(QStringLiteral("engines/selected"), engine->url());
    settings.setValue(QStringLiteral("engines/selectedName"), engine->name());
    emit selected(engine);
}

void EngineSelection::selectEndpoint(const Endpoint &endpoint)
{
    select(m_registry->engineFor(endpoint));
}
