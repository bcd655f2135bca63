-- Kafka in, Kafka out: card orders arrive as JSON on topic "orders"; a
-- small "test" charge followed within ten minutes by a big one on the same
-- card is a classic fraud pattern, and each match goes out as a JSON alert
-- on topic "alerts", keyed by card.  Replace :'kafka' with your broker's
-- address (host:port); the owner of such an app must be a member of
-- siddhi_connector (a superuser is).
CREATE EXTENSION IF NOT EXISTS siddhi;
\getenv kafka SIDDHI_KAFKA_BOOTSTRAP

SELECT siddhi.deploy('kafka_fraud', format($app$
  @source(type = 'kafka', topic.list = 'orders', group.id = 'fraud',
          bootstrap.servers = '%1$s', threading.option = 'single.thread',
          optional.configuration = 'auto.offset.reset:earliest',
          @map(type = 'json', @attributes(id = '$.order.id',
               card = '$.order.card', amount = '$.amount')))
  define stream CardOrders (id long, card string, amount double);

  @sink(type = 'kafka', topic = 'alerts', bootstrap.servers = '%1$s',
        key = '{{card}}',
        @map(type = 'json', @payload('{"card":"{{card}}","test":{{small}},"charge":{{big}}}')))
  define stream FraudAlerts (card string, small double, big double);

  @info(name = 'test_then_big')
  from every e1 = CardOrders[amount < 5.0]
       -> e2 = CardOrders[card == e1.card and amount > 500.0] within 10 min
  select e1.card as card, e1.amount as small, e2.amount as big
  insert into FraudAlerts;
$app$, :'kafka'));

-- orders, as an application would publish them: keyed by card, so that
-- one card's orders stay in one partition, in order (Kafka orders records
-- within a partition only)
\! printf '%s\n' '4111-01|{"order":{"id":1,"card":"4111-01"},"amount":1.00}' '5500-02|{"order":{"id":2,"card":"5500-02"},"amount":42.50}' '4111-01|{"order":{"id":3,"card":"4111-01"},"amount":950.00}' '3700-03|{"order":{"id":4,"card":"3700-03"},"amount":0.99}' '5500-02|{"order":{"id":5,"card":"5500-02"},"amount":700.00}' '3700-03|{"order":{"id":6,"card":"3700-03"},"amount":1200.00}' | kcat -P -K '|' -b "$SIDDHI_KAFKA_BOOTSTRAP" -t orders

-- wait until the sink has delivered two alerts
DO $$
BEGIN
  FOR i IN 1..1200 LOOP
    EXIT WHEN (SELECT coalesce(sum(sent), 0) FROM siddhi.sinks
               WHERE app = 'kafka_fraud') >= 2;
    PERFORM pg_sleep(0.1);
  END LOOP;
END
$$;

-- the alerts, as a consumer of topic "alerts" sees them (key, value)
\! kcat -C -b "$SIDDHI_KAFKA_BOOTSTRAP" -t alerts -o beginning -e -q -f '%k %s\n' | sort

SELECT query, events_in, events_out FROM siddhi.queries WHERE app = 'kafka_fraud';
SELECT source, type, records_in, events_out, errors FROM siddhi.sources WHERE app = 'kafka_fraud';
SELECT siddhi.undeploy('kafka_fraud');
