-- The "Kafka and KSQL in action" talk as eddy SQL: rating events from the app, customers
-- captured from the database, poor ratings, ratings enriched with their customer, unhappy
-- platinum customers pushed to Slack, and a per-minute count by club status.
-- Lua UDFs used here ship in udf/lua/ratings.lua (classify_rating, club_rank, slack_alert).
-- Try: build/eddy explain pipelines/ratings.sql

-- Ratings as the app's producer writes them (eddy datagen ratings).
CREATE STREAM RATINGS (RATING_ID BIGINT KEY, USER_ID INT, STARS INT, ROUTE_ID INT,
                       RATING_TIME BIGINT, CHANNEL STRING, MESSAGE STRING)
  WITH (KAFKA_TOPIC='ratings', VALUE_FORMAT='JSON', TIMESTAMP='RATING_TIME');

-- Customers, keyed by id (the CDC of the customers table; eddy datagen customers).
CREATE TABLE CUSTOMERS (ID INT PRIMARY KEY, FIRST_NAME STRING, LAST_NAME STRING, EMAIL STRING,
                        GENDER STRING, CLUB_STATUS STRING, COMMENTS STRING)
  WITH (KAFKA_TOPIC='customers', VALUE_FORMAT='JSON');

-- Poor ratings from live (not test) channels, with the UDF's verdict.
CREATE STREAM POOR_RATINGS AS
  SELECT RATING_ID, USER_ID, STARS, CHANNEL, MESSAGE,
         classify_rating(STARS, MESSAGE) AS VERDICT
  FROM RATINGS
  WHERE STARS < 3 AND LCASE(CHANNEL) NOT LIKE '%test%';

-- Every rating enriched with its customer (stream-table join on the customer id).
CREATE STREAM RATINGS_WITH_CUSTOMER_DATA AS
  SELECT R.USER_ID, R.RATING_ID, R.STARS, R.CHANNEL, R.MESSAGE,
         C.FIRST_NAME + ' ' + C.LAST_NAME AS FULL_NAME, C.FIRST_NAME, C.LAST_NAME,
         C.CLUB_STATUS, club_rank(C.CLUB_STATUS) AS CLUB_RANK, C.EMAIL
  FROM RATINGS R LEFT JOIN CUSTOMERS C ON R.USER_ID = C.ID
  WHERE C.FIRST_NAME IS NOT NULL;

-- Unhappy platinum customers, with the JSON body of a Slack incoming-webhook message.
CREATE STREAM UNHAPPY_PLATINUM_CUSTOMERS AS
  SELECT USER_ID, FULL_NAME, CLUB_STATUS, EMAIL, STARS, MESSAGE,
         slack_alert(FIRST_NAME, LAST_NAME, CLUB_STATUS, STARS, MESSAGE, CHANNEL) AS SLACK_MESSAGE
  FROM RATINGS_WITH_CUSTOMER_DATA
  WHERE STARS < 3 AND LCASE(CLUB_STATUS) = 'platinum';

-- Ratings per club status per minute (a tumbling window), for the dashboard.
CREATE TABLE RATINGS_BY_CLUB_STATUS_1MIN AS
  SELECT CLUB_STATUS, COUNT(*) AS RATING_COUNT
  FROM RATINGS_WITH_CUSTOMER_DATA
  WINDOW TUMBLING (SIZE 1 MINUTE)
  GROUP BY CLUB_STATUS;
