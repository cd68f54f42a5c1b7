-- A member card sums the member's sales of savings and services by product. Without an index
-- on the member that read every sale: 95 ms a card with two million sales (`coopdesk bench
-- --only members`, members.card). Sales recorded for no member (loans' own rows keep theirs)
-- stay out of the index.
CREATE INDEX sales_member ON sales(member_id, product) WHERE member_id IS NOT NULL;
